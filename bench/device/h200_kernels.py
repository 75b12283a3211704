"""Kernel timings on a lent NVIDIA H200 (chipdse's own measurements, beside AIConfigurator's tables).

Measures, with PyTorch (cuBLAS / cuBLASLt underneath) and CUDA-graph replays timed by CUDA events:
  - dense GEMM Y[m,n] = X[m,k] W[n,k]^T in bf16 (torch.mm) and fp8 e4m3 per-tensor scaled
    (torch._scaled_mm, bf16 out), on the shapes of AIConfigurator's GEMM grid, so each row can be
    set beside the same (quant, m, n, k) row of ../shared/reference/measured/h200_sxm.gemm.csv.gz;
    "warm" reuses one input set, "cold" rotates over enough weight copies to spill the L2 (both
    timed as CUDA-graph replays), "eager" times warm launches back to back without a graph (m >= 512);
  - device-to-device copy bandwidth (bytes read + written) and a read-only reduction (x.sum) against
    the buffer size: the L2 plateau, then HBM.
Writes $OUT/$RUN_NAME.csv (default h200_kernels.csv) and $OUT/h200_device.json; prints a short table.

    python3 bench/device/h200_kernels.py          (on a machine with the GPU; data/device/README.md says how it was run)
"""
import json, os, statistics, subprocess, sys, time
import torch

OUT = os.environ.get('OUT', '.')
dev = torch.device('cuda')
props = torch.cuda.get_device_properties(0)
info = {
    'device': props.name, 'sms': props.multi_processor_count,
    'l2_bytes': getattr(props, 'L2_cache_size', None), 'memory_bytes': props.total_memory,
    'torch': torch.__version__, 'cuda': torch.version.cuda,
    'date_utc': time.strftime('%Y-%m-%d %H:%M', time.gmtime()),
}
try:
    info['nvidia_smi'] = subprocess.run(['nvidia-smi', '--query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem,power.limit', '--format=csv,noheader'], capture_output=True, text=True, timeout=20).stdout.strip()
except Exception as e:  # noqa: BLE001 - informational only
    info['nvidia_smi'] = f'unavailable: {e}'
print(json.dumps(info), flush=True)

def timed_us(fn, calls_per_graph, replays=7):
    """Median per-call time (us) of `fn`, captured `calls_per_graph` times in one CUDA graph."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            fn(0)
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for i in range(calls_per_graph):
            fn(i)
    g.replay(); torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(replays):
        start.record(); g.replay(); end.record(); end.synchronize()
        times.append(start.elapsed_time(end) * 1e3 / calls_per_graph)
    return statistics.median(times), min(times), max(times)

def eager_us(fn, calls, replays=7):
    """Median per-call time (us) of `calls` back-to-back launches, no graph: for kernels long
    enough (>= 50 us) that launch gaps do not show, and to see whether capture changed cuBLAS's choice."""
    for _ in range(3):
        fn(0)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(replays):
        start.record()
        for i in range(calls):
            fn(i)
        end.record(); end.synchronize()
        times.append(start.elapsed_time(end) * 1e3 / calls)
    return statistics.median(times), min(times), max(times)

def calls_for(estimate_us):
    return int(max(4, min(200, 20000 / max(estimate_us, 1.0))))

rows = []
L2 = info['l2_bytes'] or 50 * 2**20
torch.manual_seed(0)
ONE = torch.tensor(1.0, device=dev)
MS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]
NK = [(8192, 8192), (10240, 8192), (28672, 8192), (8192, 28672), (1024, 8192), (8192, 1024), (4096, 4096), (16384, 16384)]
PEAK = {'bfloat16': 989e12, 'fp8': 1979e12}  # dense datasheet peaks, for a rough call-count estimate only

for quant in ('bfloat16', 'fp8'):
    for (n, k) in NK:
        w_bytes = n * k * (2 if quant == 'bfloat16' else 1)
        copies = max(1, int(3 * L2 // w_bytes) + 1)
        ws = [torch.randn(n, k, device=dev, dtype=torch.bfloat16) for _ in range(copies)]
        if quant == 'fp8':
            ws = [w.to(torch.float8_e4m3fn) for w in ws]
        for m in MS:
            x = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
            if quant == 'fp8':
                x = x.to(torch.float8_e4m3fn)
            est = max(2 * m * n * k / (0.6 * PEAK[quant]), (w_bytes + m * k * 2) / 3.5e12) * 1e6
            for mode in ('warm', 'cold', 'eager'):
                if mode == 'cold' and (copies == 1 or m > 256):
                    continue
                if mode == 'eager' and m < 512:
                    continue
                pick = (lambda i: ws[i % copies]) if mode == 'cold' else (lambda i: ws[0])
                if quant == 'bfloat16':
                    fn = lambda i: torch.mm(x, pick(i).t())
                else:
                    fn = lambda i: torch._scaled_mm(x, pick(i).t(), scale_a=ONE, scale_b=ONE, out_dtype=torch.bfloat16)
                try:
                    med, lo, hi = (eager_us if mode == 'eager' else timed_us)(fn, calls_for(est))
                    rows.append(dict(kind='gemm', quant=quant, mode=mode, m=m, n=n, k=k, bytes=0, latency_us=round(med, 3), min_us=round(lo, 3), max_us=round(hi, 3), tflops=round(2 * m * n * k / med / 1e6, 2), error=''))
                except Exception as e:  # noqa: BLE001 - recorded per row (e.g. fp8 shape limits)
                    rows.append(dict(kind='gemm', quant=quant, mode=mode, m=m, n=n, k=k, bytes=0, latency_us='', min_us='', max_us='', tflops='', error=str(e).splitlines()[0][:120]))
        del ws
        torch.cuda.empty_cache()
    print(f'gemm {quant}: done', flush=True)

for p in range(20, 32):  # 1 MiB .. 2 GiB per buffer; bytes moved = read + write
    size = 2 ** p
    for dtype, name in ((torch.uint8, 'uint8'), (torch.bfloat16, 'bfloat16')):
        a = torch.empty(size // (1 if dtype == torch.uint8 else 2), dtype=dtype, device=dev)
        a.random_(0, 100)
        b = torch.empty_like(a)
        med, lo, hi = timed_us(lambda i: b.copy_(a), calls_for(2 * size / 3.5e12 * 1e6))
        rows.append(dict(kind='copy', quant=name, mode='warm', m=0, n=0, k=0, bytes=2 * size, latency_us=round(med, 3), min_us=round(lo, 3), max_us=round(hi, 3), tflops=round(2 * size / med / 1e6, 1), error=''))
        del a, b
    x = torch.empty(size // 2, dtype=torch.bfloat16, device=dev).normal_()
    med, lo, hi = timed_us(lambda i: x.sum(), calls_for(size / 3.5e12 * 1e6))
    rows.append(dict(kind='read', quant='bfloat16', mode='warm', m=0, n=0, k=0, bytes=size, latency_us=round(med, 3), min_us=round(lo, 3), max_us=round(hi, 3), tflops=round(size / med / 1e6, 1), error=''))
    del x
print('copy and read: done', flush=True)

cols = ['kind', 'quant', 'mode', 'm', 'n', 'k', 'bytes', 'latency_us', 'min_us', 'max_us', 'tflops', 'error']
with open(os.path.join(OUT, os.environ.get('RUN_NAME', 'h200_kernels') + '.csv'), 'w') as f:
    f.write(','.join(cols) + '\n')
    for r in rows:
        f.write(','.join(str(r[c]).replace(',', ';') for c in cols) + '\n')
with open(os.path.join(OUT, 'h200_device.json'), 'w') as f:
    json.dump(info, f, indent=1)
for r in rows:
    if r['kind'] in ('copy', 'read') or (r['n'] == 8192 and r['k'] == 8192 and r['m'] >= 512):
        print(r['kind'], r['quant'], r['mode'], r['m'], r['n'], r['k'], r['bytes'], r['latency_us'], r['tflops'], r['error'])
print(f'{len(rows)} rows, {sum(1 for r in rows if r["error"])} errors')
