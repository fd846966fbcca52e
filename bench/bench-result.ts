/** What a benchmark reports: `npm run bench` collects these; each bench also writes its own results file. */
export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}
