// The two npm lexicon packages used as baselines ship no types of their own; only what the baselines call.

declare module 'sentiment' {
  interface AnalysisResult {
    score: number;
    comparative: number;
    tokens: string[];
  }
  export default class Sentiment {
    analyze(phrase: string): AnalysisResult;
  }
}

declare module 'vader-sentiment' {
  export const SentimentIntensityAnalyzer: {
    polarity_scores(text: string): { neg: number; neu: number; pos: number; compound: number };
  };
}
