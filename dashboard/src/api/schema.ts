/**
 * Types of the HTTP API, read from the types generated from the server's OpenAPI document
 * (generated.ts; `npm run generate:api`). The dashboard names its API types through these instead
 * of copying them, so a change on the server shows up here as a type error.
 */
import type { paths } from './generated.ts';

export type ApiPath = keyof paths;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Operation<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Success<Responses> = Responses[200 & keyof Responses] | Responses[201 & keyof Responses] | Responses[202 & keyof Responses];

/** The JSON body an operation answers with on success (200, 201 or 202). */
export type ResponseBody<P extends ApiPath, M extends Method = 'get'> = Operation<P, M> extends { responses: infer Responses } ? JsonOf<Success<Responses>> : never;

/** The JSON body an operation takes. */
export type RequestBody<P extends ApiPath, M extends Method> = Operation<P, M> extends { requestBody?: infer Body } ? JsonOf<NonNullable<Body>> : never;

/** The query parameters an operation takes. */
export type QueryOf<P extends ApiPath, M extends Method = 'get'> = Operation<P, M> extends { parameters: { query?: infer Query } } ? NonNullable<Query> : never;

/** One element of a list answer `{ data: [...] }`. */
export type ItemOf<P extends ApiPath> = ResponseBody<P> extends { data: (infer Item)[] } ? Item : never;
