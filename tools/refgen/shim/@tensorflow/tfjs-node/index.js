// Stand-in for @tensorflow/tfjs-node, whose install step downloads a native
// library (not possible here). face-api's node build needs only the tfjs
// API, so this hands it @tensorflow/tfjs on the plain JavaScript cpu
// backend: the reference then runs face-api's own FaceExpressionNet code.
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-cpu');
module.exports = tf;
