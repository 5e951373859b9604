"""Validates FHIR R4 Bundles with the third-party fhir.resources (6.4.0, FHIR 4.0.1).

Each file named is parsed as a Bundle, and each entry's resource again as its own type, so
a resource the Bundle's parse let through as a generic one is checked too. Prints each
file's resource types; exits 1 naming the file and the error on the first that fails.
Run by the suite with scripts/test's venv: target/fhir-venv/bin/python.
"""

import json
import sys

import fhir.resources
from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle


def main(paths):
    if fhir.resources.__fhir_version__ != "4.0.1":
        sys.exit(f"fhir.resources {fhir.resources.__version__} models FHIR "
                 f"{fhir.resources.__fhir_version__}, not R4 4.0.1")
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            Bundle.parse_obj(data)
            kinds = []
            for entry in data.get("entry", []):
                resource = entry["resource"]
                kind = resource["resourceType"]
                get_fhir_model_class(kind).parse_obj(resource)
                kinds.append(kind)
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            sys.exit(f"{path}: not a valid FHIR R4 Bundle: {e}")
        print(f"{path}: valid: {' '.join(kinds)}")


if __name__ == "__main__":
    main(sys.argv[1:])
