"""Where uploaded documents are stored: a local private folder, or an S3-compatible bucket.

``s3_options(environ)`` reads the environment once, in settings: ``PORTAL_STORAGE_URL`` or the
``AWS_*`` variables turn on django-storages' S3 backend; without them the documents stay in
``PORTAL_PRIVATE_MEDIA_ROOT`` (the zero-setup default, nothing to install or run).

``PORTAL_STORAGE_URL`` has the form::

    s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX][?region=R&scheme=http&sse=S]

``HOST`` empty (``s3://KEY:SECRET@/BUCKET``) means AWS itself; without ``KEY:SECRET@`` boto3
finds credentials itself (instance role, ``~/.aws``). ``scheme`` is ``https`` unless given;
``sse`` is ``AES256`` (the store's own keys; MinIO needs a KMS key for it) unless given as
``aws:kms`` or ``none``. Keys and secrets may be percent-encoded. The ``AWS_*`` form, turned on
by ``AWS_STORAGE_BUCKET_NAME``: ``AWS_S3_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_S3_REGION_NAME``, ``AWS_LOCATION`` (prefix), ``AWS_S3_SSE``.

Whatever the form, objects are private (no ACL header: the bucket's own private default, no
public URL), keys are the random names the models give (never a user's file name), existing
keys are never overwritten, and presigned URLs live ``PRESIGNED_URL_SECONDS``.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
PRESIGNED_URL_SECONDS = 60
_STORAGE_ONLY = ("AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_LOCATION", "AWS_S3_SSE")
_SSE_CHOICES = {"aes256": "AES256", "aws:kms": "aws:kms", "none": ""}


def s3_options(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The ``OPTIONS`` of the S3 storage described by ``environ``, or None for the local folder.

    Raises ``ImproperlyConfigured`` with what to fix for a malformed ``PORTAL_STORAGE_URL`` or
    ``AWS_*`` settings without a bucket name.
    """
    url = environ.get("PORTAL_STORAGE_URL", "").strip()
    if url:
        return _from_url(url)
    aws = {k: v for k, v in environ.items() if k.startswith("AWS_") and v}
    bucket = aws.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        # AWS_ACCESS_KEY_ID, AWS_CA_BUNDLE and the like may be there for other tools; only the
        # storage's own settings without a bucket are a mistake.
        orphans = sorted(set(aws) & set(_STORAGE_ONLY))
        if orphans:
            raise ImproperlyConfigured(
                f"{', '.join(orphans)} set but AWS_STORAGE_BUCKET_NAME is missing: name the "
                "private bucket for uploaded documents (or unset them to keep documents in the "
                "local folder PORTAL_PRIVATE_MEDIA_ROOT)."
            )
        return None
    return _options(
        bucket=bucket,
        endpoint_url=aws.get("AWS_S3_ENDPOINT_URL") or None,
        access_key=aws.get("AWS_ACCESS_KEY_ID") or None,
        secret_key=aws.get("AWS_SECRET_ACCESS_KEY") or None,
        region=aws.get("AWS_S3_REGION_NAME") or None,
        prefix=aws.get("AWS_LOCATION", ""),
        sse=aws.get("AWS_S3_SSE", "AES256"),
    )


def _from_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    example = "s3://ACCESS_KEY:SECRET_KEY@minio:9000/portal-documents?scheme=http"
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"PORTAL_STORAGE_URL must start with s3:// (for example {example})."
        )
    bucket, _, prefix = parts.path.lstrip("/").partition("/")
    if not bucket:
        raise ImproperlyConfigured(
            f"PORTAL_STORAGE_URL names no bucket: put it after the host, as in {example}."
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"region", "scheme", "sse"}
    if unknown:
        raise ImproperlyConfigured(
            f"PORTAL_STORAGE_URL has unknown options {', '.join(sorted(unknown))}; "
            "only region, scheme and sse are read."
        )
    scheme = query.get("scheme", "https")
    if scheme not in ("http", "https"):
        raise ImproperlyConfigured("PORTAL_STORAGE_URL: scheme must be http or https.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("PORTAL_STORAGE_URL: the port is not a number.") from None
    host = parts.hostname or ""
    endpoint = f"{scheme}://{host}{f':{port}' if port else ''}" if host else None
    return _options(
        bucket=bucket,
        endpoint_url=endpoint,
        access_key=unquote(parts.username) if parts.username else None,
        secret_key=unquote(parts.password) if parts.password else None,
        region=query.get("region"),
        prefix=prefix.strip("/"),
        sse=query.get("sse", "AES256"),
    )


def _options(
    *,
    bucket: str,
    endpoint_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    region: str | None,
    prefix: str,
    sse: str,
) -> dict[str, Any]:
    try:
        encryption = _SSE_CHOICES[sse.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"Server-side encryption {sse!r} is not one of AES256, aws:kms or none."
        ) from None
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": prefix,
        # No ACL header: objects get the bucket's private default (and buckets with ACLs
        # disabled, AWS's default, refuse any other).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": PRESIGNED_URL_SECONDS,
        "file_overwrite": False,
        "signature_version": "s3v4",
        "object_parameters": {"ServerSideEncryption": encryption} if encryption else {},
    }
    if endpoint_url:
        # MinIO and most other S3-compatible stores address buckets by path, not sub-domain.
        options["endpoint_url"] = endpoint_url
        options["addressing_style"] = "path"
    if access_key:
        options["access_key"] = access_key
    if secret_key:
        options["secret_key"] = secret_key
    if region:
        options["region_name"] = region
    return options
