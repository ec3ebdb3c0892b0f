/** A user's score row on one scale: its mean, and its standard deviation (1 when the row is flat). */
export interface ScoreMoments {
  mean: number;
  sd: number;
}

/** Mean and standard deviation of a row of scores over the catalogue (per-user blend scaling). */
export function scoreMoments(row: Float32Array): ScoreMoments {
  const n = row.length;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = row[i];
    sum += v;
    sq += v * v;
  }
  const mean = sum / n;
  return { mean, sd: Math.sqrt(Math.max(sq / n - mean * mean, 0)) || 1 };
}
