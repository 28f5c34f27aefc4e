/**
 * Compile-time proof that the response schemas (`response-schemas.ts`, which the OpenAPI description is generated
 * from) describe exactly the types the `/api` routes build their responses with. Those types stay plain interfaces
 * because the chat page imports them and must not bundle zod; `tsc` fails here when one side gains, loses or
 * changes a field. Nothing imports this file.
 */
import type { AskResult } from '../retrieval/types.js';
import type { DocumentListResponse, DocumentRemovedResponse, DocumentResponse, ErrorBody, FeedbackReceipt, FollowUpsResponse, HealthResponse, SearchResponse, SuggestionsResponse, UploadsResponse, UploadStatusResponse } from './protocol.js';
import type {
  askResultSchema,
  documentListResponseSchema,
  documentRemovedResponseSchema,
  documentResponseSchema,
  errorBodySchema,
  feedbackReceiptSchema,
  followUpsResponseSchema,
  healthResponseSchema,
  searchResponseSchema,
  suggestionsResponseSchema,
  uploadsResponseSchema,
  uploadStatusResponseSchema,
} from './response-schemas.js';
import type { DeepReadonly, SameType, WireType } from './schema-types.js';

/** Compiles only when `T` is `true`. */
type Holds<T extends true> = T;

/** Each entry fails to compile when its schema and its type differ. */
export type WireTypesMatchTheirSchemas = [
  Holds<SameType<DeepReadonly<ErrorBody>, WireType<typeof errorBodySchema>>>,
  Holds<SameType<DeepReadonly<HealthResponse>, WireType<typeof healthResponseSchema>>>,
  Holds<SameType<DeepReadonly<AskResult>, WireType<typeof askResultSchema>>>,
  Holds<SameType<DeepReadonly<SearchResponse>, WireType<typeof searchResponseSchema>>>,
  Holds<SameType<DeepReadonly<DocumentListResponse>, WireType<typeof documentListResponseSchema>>>,
  Holds<SameType<DeepReadonly<DocumentResponse>, WireType<typeof documentResponseSchema>>>,
  Holds<SameType<DeepReadonly<SuggestionsResponse>, WireType<typeof suggestionsResponseSchema>>>,
  Holds<SameType<DeepReadonly<FollowUpsResponse>, WireType<typeof followUpsResponseSchema>>>,
  Holds<SameType<DeepReadonly<FeedbackReceipt>, WireType<typeof feedbackReceiptSchema>>>,
  Holds<SameType<DeepReadonly<UploadStatusResponse>, WireType<typeof uploadStatusResponseSchema>>>,
  Holds<SameType<DeepReadonly<UploadsResponse>, WireType<typeof uploadsResponseSchema>>>,
  Holds<SameType<DeepReadonly<DocumentRemovedResponse>, WireType<typeof documentRemovedResponseSchema>>>,
];
