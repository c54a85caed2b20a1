// ort.js runs an ONNX model with onnxruntime-node on one thread and reports
// its outputs and timing, as the reference for vision/infer.
//
//   node ort.js MODEL.onnx INPUT.f32 DIMS OUTPREFIX [RUNS] [THREADS]
//
// INPUT.f32 is raw little-endian float32; DIMS is comma-separated (1,128,128,3).
// Each output i is written to OUTPREFIX.i.f32; one JSON line goes to stdout:
// {"outputs":[{"name":..,"dims":[..]}],"best_ms":..,"median_ms":..,"cpu_ms":..,"load_ms":..}
// cpu_ms is the process CPU time per run, which a busy machine disturbs
// much less than wall time.
//
// onnxruntime-node must be resolvable (NODE_PATH or a node_modules nearby);
// see README.md for how the benchmark script installs it.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

async function main() {
  const [model, inputPath, dimsArg, outPrefix, runsArg, threadsArg] = process.argv.slice(2);
  if (!outPrefix) {
    console.error('usage: node ort.js MODEL.onnx INPUT.f32 DIMS OUTPREFIX [RUNS] [THREADS]');
    process.exit(2);
  }
  const runs = Number(runsArg || 20);
  const threads = Number(threadsArg || 1);
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const buf = fs.readFileSync(inputPath);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const dims = dimsArg.split(',').map(Number);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
  let out = await session.run(feeds);
  const times = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    out = await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  times.sort((a, b) => a - b);
  const outputs = session.outputNames.map((name, i) => {
    const t = out[name];
    fs.writeFileSync(`${outPrefix}.${i}.f32`, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    return { name, dims: t.dims };
  });
  console.log(JSON.stringify({ outputs, best_ms: times[0], median_ms: times[Math.floor(times.length / 2)], cpu_ms: cpuMs, load_ms: loadMs }));
}

main().catch((e) => { console.error(e); process.exit(1); });
