import { parseQuantity } from '../src/units/quantity.js';

describe('parseQuantity', () => {
  test('plain numbers are base units', () => {
    expect(parseQuantity(1024, 'bytes')).toBe(1024);
    expect(parseQuantity('1.5e9', 'hertz')).toBe(1.5e9);
  });
  test('decimal and binary prefixes', () => {
    expect(parseQuantity('80 GB', 'bytes')).toBe(80e9);
    expect(parseQuantity('50 MiB', 'bytes')).toBe(50 * 2 ** 20);
    expect(parseQuantity('3.35 TB/s', 'bytesPerSec')).toBeCloseTo(3.35e12, 0);
    expect(parseQuantity('1.83 GHz', 'hertz')).toBeCloseTo(1.83e9, 0);
    expect(parseQuantity('500 ns', 'seconds')).toBeCloseTo(5e-7, 15);
    expect(parseQuantity('700 W', 'watts')).toBe(700);
  });
  test('a unit of the wrong dimension or garbage is rejected', () => {
    expect(parseQuantity('80 GHz', 'bytes')).toBeUndefined();
    expect(parseQuantity('80 GB', 'bytesPerSec')).toBeUndefined();
    expect(parseQuantity('lots', 'bytes')).toBeUndefined();
    expect(parseQuantity(Number.NaN, 'bytes')).toBeUndefined();
    expect(parseQuantity(Number.POSITIVE_INFINITY, 'bytes')).toBeUndefined();
    expect(parseQuantity('1e400 B', 'bytes')).toBeUndefined();
    expect(parseQuantity(true, 'bytes')).toBeUndefined();
  });
});

describe('link rates in bits (issue 14 item 9)', () => {
  test('"400 Gb/s", "1.6 Tb/s" and "100 Gbps" are bits per second, 8 to a byte; "GB/s" stays bytes', () => {
    expect(parseQuantity('400 Gb/s', 'bytesPerSec')).toBe(50e9);
    expect(parseQuantity('1.6 Tb/s', 'bytesPerSec')).toBe(200e9);
    expect(parseQuantity('100 Gbps', 'bytesPerSec')).toBe(12.5e9);
    expect(parseQuantity('50 GB/s', 'bytesPerSec')).toBe(50e9);
    expect(parseQuantity('400 Gb', 'bytes')).toBeUndefined();
  });
});
