/**
 * The parts of an OpenAPI 3.0 document (Xero's, in openapi/) that the simulator's tests read. A
 * document is parsed YAML: these types say what the tests rely on it holding, nothing is checked.
 */

/** A method as a path item names its operation. */
export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface SchemaObject {
  $ref?: string;
  type?: string;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject>;
  [keyword: string]: unknown;
}

export interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: SchemaObject }>;
}

export interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject>;
}

export type PathItem = Partial<Record<HttpMethod, OperationObject>>;

export interface OpenApiDocument {
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, SchemaObject>; responses?: Record<string, ResponseObject>; [section: string]: unknown };
}

/** The key a path item keeps an operation of this method under (`GET` -> `get`). */
export const methodKey = (method: string): HttpMethod => method.toLowerCase() as HttpMethod;

/** The name a `$ref` points at (`#/components/schemas/Invoice` -> `Invoice`). */
export const refTarget = (ref: string): string => ref.split('/').pop() as string;
