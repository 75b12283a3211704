import { defaultPopulation } from '../src/search/algorithms.js';

describe('default population for a budget', () => {
  test('about 32 generations, within 8..64', () => {
    expect([1, 130, 259, 648, 1296, 2048, 1e6].map(defaultPopulation)).toEqual([8, 8, 8, 20, 41, 64, 64]);
  });
});
