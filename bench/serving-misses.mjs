// The serving calibration's misses (rows predicted more than 50% off in TTFT or TPOT), each put
// under the first cause below that fits it: the counts the README's calibration section explains.
// The rules sort rows by what they share (a campaign, an engine, a regime); why each group misses
// is argued in the README, not here.
//   npm run build && node bench/serving-misses.mjs [--list CAUSE-PREFIX]
import { argValue, lib } from './lib/common.mjs';

const { calibrateServing, servingRowWorkload, SERVING_SYSTEMS } = await lib('calibrate/serving-calibrate.js');
const { loadDesign } = await lib('chip/load.js');
const { evaluateAtBatch } = await lib('eval/evaluate.js');

const CAUSES = [
  ['H200 vLLM Llama-3.1-8B-FP8 campaign, engine settings not recorded', (r) => r.row.model === 'nvidia/Llama-3.1-8B-Instruct-FP8' && r.row.backend === 'vllm'],
  ['GB200 TensorRT-LLM rows', (r) => r.row.system === 'gb200'],
  ['concurrency above what fits in memory', (r, e) => r.row.batchSize > e.serving.memoryLimit],
  ['TensorRT-LLM 1,024/8,192 rows: requests arrive apart', (r) => r.row.backend === 'trtllm' && r.row.isl === 1024 && r.row.osl === 8192 && r.ttftError > 0.5],
  ['SGLang: cohorts that do not persist', (r) => r.row.backend === 'sglang'],
  ['TTFT too high: a cohort of prompts shares mixed iterations', (r) => r.ttftError > 0.5],
  ['TTFT too low: TTFT that does not follow the prefill cost', (r) => r.ttftError < -0.5],
  ['TPOT too low', (r) => r.tpotError < -0.5],
  ['TPOT too high', (r) => r.tpotError > 0.5],
];

const c = calibrateServing();
const chips = {};
const miss = c.rows.filter((r) => Math.abs(r.ttftError) > 0.5 || Math.abs(r.tpotError) > 0.5);
const byCause = new Map(CAUSES.map(([name]) => [name, []]));
for (const r of miss) {
  const design = SERVING_SYSTEMS[r.row.system];
  chips[design] ??= loadDesign(design);
  const e = evaluateAtBatch(chips[design], servingRowWorkload(r.row), r.row.batchSize, false);
  byCause.get(CAUSES.find(([, fits]) => fits(r, e))[0]).push(r);
}
const list = argValue('list');
console.log(`${miss.length} of ${c.rows.length} rows miss by more than 50% in TTFT or TPOT`);
for (const [name, rows] of byCause) {
  if (rows.length === 0) continue;
  const n = (f) => rows.filter(f).length;
  const where = [...new Set(rows.map((r) => `${r.row.system}/${r.row.backend}`))].join(', ');
  console.log(`${String(rows.length).padStart(4)}  ${name} (TTFT high ${n((r) => r.ttftError > 0.5)}, low ${n((r) => r.ttftError < -0.5)}; TPOT high ${n((r) => r.tpotError > 0.5)}, low ${n((r) => r.tpotError < -0.5)}; ${where})`);
  if (list && name.startsWith(list)) {
    for (const r of rows) {
      const x = r.row;
      console.log(`      line ${x.line}: ${x.system} ${x.backend} ${x.model} ${x.gemmQuantMode || 'bf16'} ISL ${x.isl} OSL ${x.osl} C ${x.batchSize} TP ${x.tp}: TTFT ${x.ttftMs.toFixed(0)} -> ${r.predictedTtftMs.toFixed(0)} ms, TPOT ${x.tpotMs.toFixed(1)} -> ${r.predictedTpotMs.toFixed(1)} ms`);
    }
  }
}
