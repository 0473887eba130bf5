"""Index assembly and push against a real registry, read back with skopeo."""

from __future__ import annotations

import hashlib
import json

import pytest
from plancheck.runner.registry import (
    IndexChild,
    InvalidIndex,
    Platform,
    PlatformMismatch,
    RegistryClient,
    RegistryError,
    Repository,
    build_index,
    copy_image,
    push_image,
    push_index,
)
from plancheck.runner.registry.manifest import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
)
from support.fault_proxy import Fault, FaultProxy
from support.images import BuiltImage, build_image, push_built_image
from support.registry_server import RegistryServer
from support.skopeo import inspect_raw

pytestmark = pytest.mark.timeout(120)

ATTESTATION_ANNOTATIONS = "vnd.docker.reference.type"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def child(image: BuiltImage, platform: str | None = None, **options: object) -> IndexChild:
    return IndexChild(image.digest, Platform.parse(platform) if platform else image.platform, **options)  # type: ignore[arg-type]


def push_images(
    client: RegistryClient, repository: Repository, *platforms: str, media_type: str = "oci"
) -> list[BuiltImage]:
    images = [build_image(platform, media_type=media_type) for platform in platforms]  # type: ignore[arg-type]
    for image in images:
        push_built_image(client, repository, image)
    return images


def platforms_of(index: dict[str, object]) -> list[dict[str, str]]:
    return [entry["platform"] for entry in index["manifests"]]  # type: ignore[index, union-attr]


def push_engine_index(
    client: RegistryClient, repository: Repository, image: BuiltImage, extra: list[BuiltImage] = ()
) -> str:
    """What BuildKit pushes for one platform with provenance: an index of image + attestation."""
    push_built_image(client, repository, image)
    statement = json.dumps(
        {"_type": "https://in-toto.io/Statement/v0.1", "subject": [{"digest": {"sha256": image.digest[7:]}}]}
    ).encode()
    config = json.dumps(
        {
            "architecture": "unknown",
            "os": "unknown",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": [sha(statement)]},
        }
    ).encode()
    attestation = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha(config), "size": len(config)},
            "layers": [
                {
                    "mediaType": "application/vnd.in-toto+json",
                    "digest": sha(statement),
                    "size": len(statement),
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
                }
            ],
        }
    ).encode()
    push_image(client, repository, attestation, {sha(config): config, sha(statement): statement})
    entries = [Descriptor(OCI_MANIFEST, image.digest, len(image.manifest), image.platform)]
    for other in extra:
        push_built_image(client, repository, other)
        entries.append(Descriptor(OCI_MANIFEST, other.digest, len(other.manifest), other.platform))
    entries.append(
        Descriptor(
            OCI_MANIFEST,
            sha(attestation),
            len(attestation),
            Platform("unknown", "unknown"),
            {ATTESTATION_ANNOTATIONS: "attestation-manifest", "vnd.docker.reference.digest": image.digest},
        )
    )
    data = build_index(entries)
    client.put_manifest(repository.digested(sha(data)), data)
    return sha(data)


def test_oci_index_with_exactly_the_given_platforms(client: RegistryClient, repository: Repository) -> None:
    amd64, arm64, arm = push_images(client, repository, "linux/amd64", "linux/arm64", "linux/arm/v7")
    digest = push_index(client, repository.tagged("1.0"), [child(amd64), child(arm64), child(arm)])
    raw = inspect_raw(f"{repository}:1.0")
    assert sha(raw) == digest
    index = json.loads(raw)
    assert index["schemaVersion"] == 2
    assert index["mediaType"] == OCI_INDEX
    assert platforms_of(index) == [
        {"architecture": "amd64", "os": "linux"},
        {"architecture": "arm64", "os": "linux"},
        {"architecture": "arm", "os": "linux", "variant": "v7"},
    ]
    assert [(e["mediaType"], e["digest"], e["size"]) for e in index["manifests"]] == [
        (OCI_MANIFEST, image.digest, len(image.manifest)) for image in (amd64, arm64, arm)
    ]
    assert "annotations" not in index
    for image in (amd64, arm64, arm):
        assert inspect_raw(f"{repository}@{image.digest}") == image.manifest
    assert inspect_raw(f"{repository}@{digest}") == raw


def test_docker_manifest_list(client: RegistryClient, repository: Repository) -> None:
    amd64, arm64 = push_images(client, repository, "linux/amd64", "linux/arm64", media_type="docker")
    digest = push_index(
        client, repository.tagged("docker"), [child(amd64), child(arm64)], media_type="docker"
    )
    index = json.loads(inspect_raw(f"{repository}:docker"))
    assert index["mediaType"] == DOCKER_MANIFEST_LIST
    assert [e["mediaType"] for e in index["manifests"]] == [DOCKER_MANIFEST, DOCKER_MANIFEST]
    assert platforms_of(index) == [
        {"architecture": "amd64", "os": "linux"},
        {"architecture": "arm64", "os": "linux"},
    ]
    assert client.get_manifest(repository.tagged("docker")).digest == digest


def test_annotations_on_an_oci_index(client: RegistryClient, repository: Repository) -> None:
    amd64, arm64 = push_images(client, repository, "linux/amd64", "linux/arm64")
    push_index(
        client,
        repository.tagged("annotated"),
        [child(amd64, annotations={"org.example.arch": "x86"}), child(arm64)],
        annotations={
            "org.opencontainers.image.source": "https://example.com/app",
            "org.opencontainers.image.version": "1.0",
        },
    )
    index = json.loads(inspect_raw(f"{repository}:annotated"))
    assert index["annotations"] == {
        "org.opencontainers.image.source": "https://example.com/app",
        "org.opencontainers.image.version": "1.0",
    }
    assert index["manifests"][0]["annotations"] == {"org.example.arch": "x86"}
    assert "annotations" not in index["manifests"][1]


def test_docker_list_refuses_annotations_before_any_request(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    image = build_image("linux/amd64", media_type="docker")
    with pytest.raises(InvalidIndex, match="Docker manifest list .* cannot carry annotations"):
        push_index(
            client, proxy_repository.tagged("x"), [child(image)], media_type="docker", annotations={"a": "b"}
        )
    with pytest.raises(InvalidIndex, match="cannot carry annotations"):
        push_index(
            client, proxy_repository.tagged("x"), [child(image, annotations={"a": "b"})], media_type="docker"
        )
    assert proxy.requests == []


def test_child_pushed_to_another_repository_is_mounted_into_the_target(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    build_repository = Repository(proxy_repository.registry, proxy_repository.path + "-build")
    amd64, arm64 = push_images(client, build_repository, "linux/amd64", "linux/arm64")
    count = len(proxy.requests)
    push_index(
        client,
        proxy_repository.tagged("1.0"),
        [child(amd64, repository=build_repository), child(arm64, repository=build_repository)],
    )
    mounts = [r for r in proxy.requests[count:] if r.method == "POST"]
    assert mounts and all("mount=" in r.query and r.status == 201 for r in mounts)
    assert not [
        r
        for r in proxy.requests[count:]
        if r.method in ("PATCH",) or (r.method == "PUT" and "/blobs/" in r.path)
    ]
    for image in (amd64, arm64):
        assert inspect_raw(f"{proxy_repository}@{image.digest}") == image.manifest


def test_child_in_another_registry_is_copied(
    client: RegistryClient, proxy: FaultProxy, registry: RegistryServer, repo_path: str
) -> None:
    # To the client the proxy is a second registry: blobs cannot be mounted across, so they move.
    elsewhere = Repository(proxy.address, repo_path + "-elsewhere")
    target = Repository(registry.address, repo_path)
    [image] = push_images(client, elsewhere, "linux/arm64")
    digest = push_index(client, target.tagged("copied"), [child(image, repository=elsewhere)])
    assert inspect_raw(f"{target}@{image.digest}") == image.manifest
    assert client.get_blob(target, image.config_digest) == image.config
    assert sha(inspect_raw(f"{target}:copied")) == digest
    assert [r.method for r in proxy.recorded(path="/blobs/") if r.method == "GET"] == ["GET", "GET"]


def test_child_missing_from_the_target_is_an_error(client: RegistryClient, repository: Repository) -> None:
    image = build_image("linux/amd64")
    with pytest.raises(
        InvalidIndex,
        match=f"the image {image.digest} for linux/amd64 is not in {repository}; push it before the index",
    ):
        push_index(client, repository.tagged("x"), [child(image)])


def test_platform_must_match_the_image_config(client: RegistryClient, repository: Repository) -> None:
    wrong = build_image("linux/amd64", config_platform=Platform("linux", "arm64"))
    push_built_image(client, repository, wrong)
    with pytest.raises(
        PlatformMismatch,
        match=f"image {wrong.digest} was pushed for linux/amd64, but its config says linux/arm64",
    ):
        push_index(client, repository.tagged("mismatch"), [child(wrong)])
    assert client.head_manifest(repository.tagged("mismatch")) is None


@pytest.mark.parametrize(
    ("plan", "config", "ok"),
    [
        ("linux/arm64", Platform("linux", "arm64", "v8"), True),
        ("linux/arm64/v8", Platform("linux", "arm64"), True),
        ("linux/arm/v7", Platform("linux", "arm"), True),
        ("linux/amd64", Platform("linux", "x86_64"), True),
        ("linux/arm/v6", Platform("linux", "arm", "v7"), False),
        ("linux/amd64", Platform("windows", "amd64"), False),
    ],
)
def test_platform_comparison_uses_the_normalised_form(
    client: RegistryClient, repository: Repository, plan: str, config: Platform, ok: bool
) -> None:
    image = build_image(plan, config_platform=config)
    push_built_image(client, repository, image)
    if ok:
        push_index(client, repository.tagged("n"), [child(image, plan)])
        index = json.loads(inspect_raw(f"{repository}:n"))
        assert platforms_of(index) == [Platform.parse(plan).to_json()]
    else:
        with pytest.raises(PlatformMismatch):
            push_index(client, repository.tagged("n"), [child(image, plan)])


def test_two_images_for_one_platform_are_refused(client: RegistryClient, repository: Repository) -> None:
    a = build_image("linux/arm64", label="a")
    b = build_image("linux/arm64/v8", label="b")
    with pytest.raises(
        InvalidIndex, match=f"two images for platform linux/arm64/v8: {a.digest} and {b.digest}"
    ):
        push_index(client, repository.tagged("dup"), [child(a), child(b)])


def test_engine_index_is_flattened_and_attestations_are_kept(
    client: RegistryClient, repository: Repository
) -> None:
    amd64 = build_image("linux/amd64")
    engine_digest = push_engine_index(client, repository, amd64)
    [arm64] = push_images(client, repository, "linux/arm64")
    digest = push_index(
        client,
        repository.tagged("flat"),
        [IndexChild(engine_digest, Platform.parse("linux/amd64")), child(arm64)],
    )
    index = json.loads(inspect_raw(f"{repository}:flat"))
    assert sha(inspect_raw(f"{repository}:flat")) == digest
    assert [e["digest"] for e in index["manifests"][:2]] == [amd64.digest, arm64.digest]
    assert platforms_of(index) == [
        {"architecture": "amd64", "os": "linux"},
        {"architecture": "arm64", "os": "linux"},
        {"architecture": "unknown", "os": "unknown"},
    ]
    attestation = index["manifests"][2]
    assert attestation["annotations"] == {
        ATTESTATION_ANNOTATIONS: "attestation-manifest",
        "vnd.docker.reference.digest": amd64.digest,
    }
    assert inspect_raw(f"{repository}@{attestation['digest']}")  # present in the repository


def test_attestations_need_an_oci_index_or_can_be_left_out(
    client: RegistryClient, repository: Repository
) -> None:
    amd64 = build_image("linux/amd64")
    engine_digest = push_engine_index(client, repository, amd64)
    children = [IndexChild(engine_digest, Platform.parse("linux/amd64"))]
    with pytest.raises(InvalidIndex, match="attestation manifests, which only an OCI index can mark"):
        push_index(client, repository.tagged("d"), children, media_type="docker")
    push_index(client, repository.tagged("d"), children, media_type="docker", attestations=False)
    index = json.loads(inspect_raw(f"{repository}:d"))
    assert [e["digest"] for e in index["manifests"]] == [amd64.digest]


def test_engine_index_with_another_platform_is_refused(
    client: RegistryClient, repository: Repository
) -> None:
    amd64, arm64 = build_image("linux/amd64"), build_image("linux/arm64")
    engine_digest = push_engine_index(client, repository, amd64, extra=[arm64])
    with pytest.raises(
        InvalidIndex, match="holds linux/amd64, linux/arm64; the plan expects one image for linux/amd64"
    ):
        push_index(
            client, repository.tagged("bad"), [IndexChild(engine_digest, Platform.parse("linux/amd64"))]
        )


def test_target_needs_a_tag(client: RegistryClient, repository: Repository) -> None:
    image = build_image("linux/amd64")
    with pytest.raises(InvalidIndex, match="needs a tag"):
        push_index(client, repository.digested(image.digest), [child(image)])
    with pytest.raises(InvalidIndex, match="no images"):
        push_index(client, repository.tagged("x"), [])


# -- the tag moves last ------------------------------------------------------------------------


def test_index_is_pushed_by_digest_then_tagged_with_the_same_bytes(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    amd64, arm64 = push_images(client, proxy_repository, "linux/amd64", "linux/arm64")
    count = len(proxy.requests)
    digest = push_index(client, proxy_repository.tagged("release"), [child(amd64), child(arm64)])
    puts = [r for r in proxy.requests[count:] if r.method == "PUT"]
    assert [p.path.rsplit("/", 1)[1] for p in puts] == [digest, "release"]
    assert puts[0].body_size == puts[1].body_size
    assert {p.content_type for p in puts} == {OCI_INDEX}
    # Nothing was written before the children had been checked.
    first_put = proxy.requests.index(puts[0])
    assert all(r.method in ("GET", "HEAD") for r in proxy.requests[count:first_put])


def test_missing_child_leaves_the_tag_at_its_old_value(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    amd64, arm64 = push_images(client, proxy_repository, "linux/amd64", "linux/arm64")
    old = push_index(client, proxy_repository.tagged("release"), [child(amd64), child(arm64)])
    never_pushed = build_image("linux/arm/v7")
    count = len(proxy.requests)
    with pytest.raises(InvalidIndex, match="push it before the index"):
        push_index(
            client, proxy_repository.tagged("release"), [child(amd64), child(arm64), child(never_pushed)]
        )
    assert not [r for r in proxy.requests[count:] if r.method not in ("GET", "HEAD")]
    assert sha(inspect_raw(f"{proxy_repository}:release")) == old


def test_failed_index_push_leaves_the_tag_absent(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    amd64, arm64 = push_images(client, proxy_repository, "linux/amd64", "linux/arm64")
    proxy.add_fault(Fault(method="PUT", path="/manifests/sha256:", status=503, times=100))
    with pytest.raises(RegistryError, match="gave up after 4 attempts"):
        push_index(client, proxy_repository.tagged("release"), [child(amd64), child(arm64)])
    assert not proxy.recorded("PUT", "/manifests/release")
    assert client.head_manifest(proxy_repository.tagged("release")) is None


def test_failed_index_push_leaves_an_old_tag_in_place(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository, sleeps: list[float]
) -> None:
    amd64, arm64 = push_images(client, proxy_repository, "linux/amd64", "linux/arm64")
    old = push_index(client, proxy_repository.tagged("release"), [child(amd64)])
    proxy.add_fault(Fault(method="PUT", path="/manifests/sha256:", status=500, times=100))
    with pytest.raises(RegistryError):
        push_index(client, proxy_repository.tagged("release"), [child(amd64), child(arm64)])
    assert sha(inspect_raw(f"{proxy_repository}:release")) == old


# -- copy_image --------------------------------------------------------------------------------


def test_copy_image_copies_an_index_with_its_children(
    client: RegistryClient, proxy: FaultProxy, proxy_repository: Repository
) -> None:
    amd64, arm64 = push_images(client, proxy_repository, "linux/amd64", "linux/arm64")
    digest = push_index(client, proxy_repository.tagged("1.0"), [child(amd64), child(arm64)])
    mirror = Repository(proxy_repository.registry, proxy_repository.path + "-mirror")
    count = len(proxy.requests)
    descriptor = copy_image(client, proxy_repository.tagged("1.0"), mirror.tagged("1.0"))
    assert descriptor.digest == digest and descriptor.media_type == OCI_INDEX
    assert inspect_raw(f"{mirror}:1.0") == inspect_raw(f"{proxy_repository}:1.0")
    for image in (amd64, arm64):
        assert inspect_raw(f"{mirror}@{image.digest}") == image.manifest
    copied = proxy.requests[count:]
    assert all(r.status == 201 for r in copied if r.method == "POST")  # every blob was mounted
    puts = [r.path.rsplit("/", 1)[1] for r in copied if r.method == "PUT"]
    assert puts[-2:] == [digest, "1.0"]
