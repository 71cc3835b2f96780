// A Response whose body stops with an error once it passes maxBytes, counted
// after decompression so a small compressed body cannot expand without bound.

import { IoError, UsageError } from "../errors.ts";

export interface BodyLimits {
  maxBytes: number;
  origin: string;
  /** Aborts on the overall timeout; a read cut by it becomes an IoError. */
  timeout: AbortSignal;
  timeoutMs: number;
}

function tooLarge(limits: BodyLimits): UsageError {
  return new UsageError(`response from ${limits.origin} is larger than ${limits.maxBytes} bytes`, {
    hint: "raise maxBytes if the larger body is expected",
  });
}

export function timedOut(limits: { origin: string; timeoutMs: number }, cause?: unknown): IoError {
  return new IoError(`request to ${limits.origin} timed out after ${limits.timeoutMs} ms`, {
    cause,
  });
}

function boundedStream(
  body: ReadableStream<Uint8Array>,
  limits: BodyLimits,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (err) {
        controller.error(limits.timeout.aborted ? timedOut(limits, err) : err);
        return;
      }
      if (chunk.done) {
        controller.close();
        return;
      }
      seen += chunk.value.byteLength;
      if (seen > limits.maxBytes) {
        controller.error(tooLarge(limits));
        await reader.cancel().catch(() => {});
        return;
      }
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export function boundedResponse(response: Response, url: URL, limits: BodyLimits): Response {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  const encoded = response.headers.has("content-encoding");
  if (!encoded && declared > limits.maxBytes) {
    response.body?.cancel().catch(() => {});
    throw tooLarge(limits);
  }
  const body = response.body && boundedStream(response.body, limits);
  const bounded = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has an empty url; keep the one the caller asked for.
  Object.defineProperty(bounded, "url", { value: url.href });
  return bounded;
}
