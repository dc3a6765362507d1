"""App-wide HTTP plumbing, the same for every route, the JSON API's and the pages' alike.

What a request must be (`body`: URL length, media type, strict JSON), how errors become
problem+json (`problems`), the OpenAPI document and the problem body it describes (`openapi`),
rate limits (`ratelimit`), request ids and latency (`middleware`), security headers on every
answer (`security_headers`), which paths are the API's (`paths`), and the app state handed to
handlers (`dependencies`). Nothing here knows who is asking or serves one audience only.
"""
