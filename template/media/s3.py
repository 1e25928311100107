"""The private media bucket, read from the AWS_* variables, checked before anything starts.

config/settings.py calls `bucket_from_env(env)` once: None without
AWS_STORAGE_BUCKET_NAME, else a `Bucket` that says where the bucket is, how to reach
it (`connection_options()`, for django-storages) and the origin its signed links use
(`origin`, which the Content-Security-Policy allows images from). The decisions about
the objects themselves (no ACL, signed links that expire, no overwriting) stay in the
settings, where they can be read.

Each check raises ImproperlyConfigured with a message that names the variable and the
fix, so a failed release on Heroku explains itself. Nothing here imports boto3: the
settings load it only when a file is stored.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from environ import Env

# S3 bucket names, AWS region names (eu-west-1, us-gov-west-1) and host names.
BUCKET_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
HOST_NAME_PATTERN = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]{2,63}")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Bucket:
    """Where the media bucket is and how to reach it; every value already checked."""

    name: str
    region: str
    endpoint_url: str  # an S3-compatible provider's; empty on AWS
    access_key: str
    secret_key: str
    custom_domain: str  # a CloudFront domain, only with its signing key pair
    cloudfront_key_id: str
    cloudfront_key: str

    @property
    def virtual_host(self) -> bool:
        """AWS addresses a bucket as <bucket>.s3.<region>.amazonaws.com. S3-compatible
        providers, and names with dots (which that host's certificate does not cover),
        are addressed by path, which every provider accepts."""
        return not self.endpoint_url and "." not in self.name

    @property
    def service_url(self) -> str:
        return self.endpoint_url or f"https://s3.{self.region}.amazonaws.com"

    @property
    def origin(self) -> str:
        """The scheme and host of the bucket's signed links."""
        if self.custom_domain:
            return f"https://{self.custom_domain}"
        if self.virtual_host:
            return f"https://{self.name}.s3.{self.region}.amazonaws.com"
        return self.service_url

    def connection_options(self) -> dict[str, object]:
        """django-storages' options that say where the bucket is and who we are."""
        return {
            "bucket_name": self.name,
            "access_key": self.access_key or None,
            "secret_key": self.secret_key or None,
            "region_name": self.region or None,
            "endpoint_url": self.service_url if self.region or self.endpoint_url else None,
            "addressing_style": "virtual" if self.virtual_host else "path",
            "custom_domain": self.custom_domain or None,
            "cloudfront_key_id": self.cloudfront_key_id or None,
            "cloudfront_key": self.cloudfront_key or None,
        }


def bucket_from_env(env: Env) -> Bucket | None:
    """The bucket AWS_STORAGE_BUCKET_NAME names, or None; refuses what it cannot use safely."""
    name = require_bucket_name("AWS_STORAGE_BUCKET_NAME", env.str("AWS_STORAGE_BUCKET_NAME", ""))
    endpoint_url = require_media_endpoint(
        "AWS_S3_ENDPOINT_URL", env.str("AWS_S3_ENDPOINT_URL", default="")
    )
    cloudfront_key_id = env.str("AWS_CLOUDFRONT_KEY_ID", default="")
    cloudfront_key = env.str("AWS_CLOUDFRONT_KEY", default="")
    custom_domain = require_signed_custom_domain(
        env.str("AWS_S3_CUSTOM_DOMAIN", default=""), cloudfront_key_id, cloudfront_key
    )
    if not name:
        return None
    return Bucket(
        name=name,
        region=require_media_region(env.str("AWS_S3_REGION_NAME", default=""), endpoint_url),
        endpoint_url=endpoint_url,
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
        custom_domain=custom_domain,
        cloudfront_key_id=cloudfront_key_id,
        cloudfront_key=cloudfront_key,
    )


def require_bucket_name(name: str, bucket: str) -> str:
    """Return an S3 bucket name (or none) if it is one S3 accepts."""
    if bucket and (not BUCKET_NAME_PATTERN.fullmatch(bucket) or ".." in bucket):
        raise ImproperlyConfigured(
            f"{name} is {bucket!r}; a bucket name has 3 to 63 lowercase letters, digits, "
            "dots and hyphens, e.g. my-site-media (the name only, no s3:// or URL)."
        )
    return bucket


def require_media_endpoint(name: str, url: str) -> str:
    """Return an S3-compatible endpoint URL if it is an origin reached over HTTPS.

    Plain http is accepted for loopback only (an S3 API server on the same machine, as
    in the tests): anywhere else uploads and signed links would cross the network in
    clear.
    """
    if not url:
        return url
    parts = urlsplit(url)
    if (
        parts.scheme not in {"https", "http"}
        or (parts.scheme == "http" and parts.hostname not in LOOPBACK)
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.username
    ):
        raise ImproperlyConfigured(
            f"{name} is {url!r}; use the provider's https:// endpoint without a path, "
            "e.g. https://s3.fr-par.scw.cloud (the bucket goes in AWS_STORAGE_BUCKET_NAME)."
        )
    return url.rstrip("/")


def require_media_region(region: str, endpoint_url: str) -> str:
    """Return the bucket's region; on AWS requests are signed for it, so it must be known."""
    if not endpoint_url and not REGION_PATTERN.fullmatch(region):
        raise ImproperlyConfigured(
            f"AWS_S3_REGION_NAME is {region!r}; with AWS_STORAGE_BUCKET_NAME set it must be "
            "the bucket's AWS region, e.g. eu-west-1 (S3 console, the bucket's properties)."
        )
    return region


def require_signed_custom_domain(domain: str, key_id: str, key: str) -> str:
    """Return a media custom domain only if links on it can be signed.

    django-storages signs links on a custom domain only with a CloudFront key pair;
    without one every link to a private file would be unsigned and never expire.
    """
    if not domain:
        return domain
    if not HOST_NAME_PATTERN.fullmatch(domain):
        raise ImproperlyConfigured(
            f"AWS_S3_CUSTOM_DOMAIN is {domain!r}; use a host name such as "
            "media.example.com, without https:// or a path."
        )
    if not (key_id and key):
        raise ImproperlyConfigured(
            "AWS_S3_CUSTOM_DOMAIN is set without AWS_CLOUDFRONT_KEY_ID and "
            "AWS_CLOUDFRONT_KEY: links on a custom domain are signed only with a CloudFront "
            "key pair, and unsigned links to private files would never expire. Set both "
            "(README, 'Uploads and private media'), or unset AWS_S3_CUSTOM_DOMAIN to use "
            "signed S3 links."
        )
    return domain
