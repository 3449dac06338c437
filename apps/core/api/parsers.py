"""The API's JSON parser: DRF's, with bounded nesting and NUL characters refused as clear 400s."""

from __future__ import annotations

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings

from apps.core.jsonbody import JSONInputError, json_loads


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return json_loads(text, strict=api_settings.STRICT_JSON)
        except JSONInputError as exc:
            raise ParseError(exc.message, code=exc.code) from None
        except ValueError:  # UnicodeDecodeError too
            raise ParseError(_("The request body is not valid JSON.")) from None
