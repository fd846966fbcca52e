/** What every benchmark returns; `bench/<topic>.bench.ts` exports `run(): Promise<BenchResult>`. */
export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}
