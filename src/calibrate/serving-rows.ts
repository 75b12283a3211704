import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Measured end-to-end serving latencies: the dense-model, aggregated-mode rows of NVIDIA
 * AIConfigurator's silicon_sample.csv (Apache License 2.0), a compact copy kept in
 * data/serving-measured.csv so calibration runs from this repository alone (data/serving-measured.md
 * says where it comes from and how it was changed; the license is beside it).
 */
export const SERVING_ROWS_FILE = fileURLToPath(new URL('../../data/serving-measured.csv', import.meta.url));

export const SERVING_SOURCE =
  'NVIDIA AIConfigurator silicon_sample.csv (github.com/ai-dynamo/aiconfigurator @ 095f58a5, Apache-2.0), dense aggregated rows; copy and changes in data/serving-measured.md';

export interface ServingRow {
  /** Line in the file (2 = first row). */
  line: number;
  system: string;
  backend: string;
  backendVersion: string;
  model: string;
  /** Upstream labels; empty means the checkpoint's native BF16. */
  precision: string;
  gemmQuantMode: string;
  isl: number;
  osl: number;
  /** Sequences in flight per engine (replica). */
  batchSize: number;
  tp: number;
  pp: number;
  attentionDp: number;
  ttftMs: number;
  tpotMs: number;
}

/** The measured rows, in file order. */
export function readServingRows(file = SERVING_ROWS_FILE): ServingRow[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const cols = head.split(',');
  const at = (name: string) => cols.indexOf(name);
  const num = (v: string) => (v === '' ? 0 : Number(v));
  return lines.map((l, i) => {
    const v = l.split(',');
    return {
      line: i + 2,
      system: v[at('system')],
      backend: v[at('backend')],
      backendVersion: v[at('backend_version')],
      model: v[at('model')],
      precision: v[at('precision')],
      gemmQuantMode: v[at('gemm_quant_mode')],
      isl: num(v[at('isl')]),
      osl: num(v[at('osl')]),
      batchSize: num(v[at('batch_size')]),
      tp: num(v[at('tp')]) || 1,
      pp: num(v[at('pp')]) || 1,
      attentionDp: num(v[at('attention_dp_size')]) || 1,
      ttftMs: num(v[at('ttft_ms')]),
      tpotMs: num(v[at('tpot_ms')]),
    };
  });
}
