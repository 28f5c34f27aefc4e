/** A chat message in the shape most chat-completion APIs take. */
export interface PromptMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Messages for a model, and the version of the prompt that made them (recorded in each result). */
export interface Prompt {
  readonly version: string;
  readonly messages: readonly PromptMessage[];
}
