"""Validates a served OpenAPI description against the OpenAPI 3.1 meta-schema that schemathesis ships.

Usage: check-openapi-document.py URL  (an `Authorization` header is taken from VERBATIM_AUTHORIZATION)

`st run` only consults the meta-schema to explain a failure, so the contract test runs this first: a description
that is not valid OpenAPI fails on its own, naming the first place it breaks. Exits 0 and prints one line when valid.
"""

import os
import sys

import schemathesis


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    url = sys.argv[1]
    authorization = os.environ.get("VERBATIM_AUTHORIZATION")
    headers = {"Authorization": authorization} if authorization else {}
    schema = schemathesis.openapi.from_url(url, headers=headers, timeout=10)
    try:
        schema.validate()
    except Exception as error:  # jsonschema_rs.ValidationError, with the path into the document
        print(f"{url} is not valid OpenAPI {schema.raw_schema.get('openapi')}: {error}", file=sys.stderr)
        return 1
    print(f"{url}: valid OpenAPI {schema.raw_schema.get('openapi')}, {len(schema.raw_schema['paths'])} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
