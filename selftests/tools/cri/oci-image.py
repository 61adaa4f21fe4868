#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""oci-image.py BINARY NAME OUT.tar: an OCI image archive (oci-layout,
index.json, blobs/sha256: manifest, config, one uncompressed layer) whose
one file is BINARY as /pause, the entrypoint; NAME (e.g.
podnet.test/pause:1) is the index's io.containerd.image.name and
org.opencontainers.image.ref.name, which `ctr images import` takes.
Reproducible: the same BINARY gives the same bytes (fixed mtimes, owners,
order), so the digest names the content."""
import hashlib
import io
import json
import sys
import os
import tarfile


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode in entries:
            ti = tarfile.TarInfo(name)
            ti.mode, ti.mtime, ti.uid, ti.gid = mode, 0, 0, 0
            ti.uname = ti.gname = ""
            if data is None:
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def js(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def main():
    binary, name, out = sys.argv[1:4]
    with open(binary, "rb") as f:
        prog = f.read()
    layer = tar_bytes([("pause", prog, 0o755)])
    ldig = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = js({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": ["/pause"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [ldig]},
        "history": [{"created_by": "selftests/tools/cri/oci-image.py"}],
    })
    cdig = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest = js({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cdig, "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": ldig, "size": len(layer)}],
    })
    mdig = "sha256:" + hashlib.sha256(manifest).hexdigest()
    index = js({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": mdig, "size": len(manifest),
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": name,
                            "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]},
        }],
    })
    blobs = [(d.split(":")[1], b) for d, b in ((ldig, layer), (cdig, config), (mdig, manifest))]
    archive = tar_bytes(
        [("oci-layout", js({"imageLayoutVersion": "1.0.0"}), 0o644),
         ("index.json", index, 0o644),
         ("blobs", None, 0o755), ("blobs/sha256", None, 0o755)] +
        [("blobs/sha256/" + h, b, 0o644) for h, b in sorted(blobs)])
    with open(out + ".new", "wb") as f:
        f.write(archive)
    os.replace(out + ".new", out)
    print(mdig)


if __name__ == "__main__":
    main()
