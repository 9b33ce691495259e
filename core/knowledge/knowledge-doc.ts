/** A knowledge item as retrieval sees it: a standard question, its similar phrasings (相似问法), the answer. */
export interface KnowledgeDoc {
  id: string;
  question: string;
  phrasings: string[];
  answer: string;
  category?: string;
  enabled: boolean;
}
