"""File storage that keeps files sealed at rest: uploaded import files and what is derived from them.

Why: an uploaded spreadsheet holds the same personal numbers (legal representatives' identity and phone numbers) that
the database keeps only encrypted; lying in the media directory in the clear, it would undo that encryption for
anyone who reads the disk or its backups. `SealedFileSystemStorage` seals a file's bytes with `crypto.seal` when it
is saved and unseals them with `crypto.unseal` when it is opened, both in memory: no plaintext copy is ever written
to disk, and what is opened is a file-like object over the plaintext bytes (`SealedFile`). A file the key cannot
unseal (another key, a damaged or altered file, a file stored in the clear) raises `crypto.DecryptionError`.

Files are sealed whole (GCM authenticates the whole file), so they are held in memory while saved and opened: fit for
files of bounded size (imports are capped by `SHUNIU_IMPORT_MAX_BYTES`), not for arbitrary media.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from . import crypto


class SealedFile(File):
    """An opened sealed file: the plaintext in memory. Reopening (after `close()`) unseals the stored file again."""

    def __init__(self, storage: SealedFileSystemStorage, name: str):
        self._storage = storage
        super().__init__(io.BytesIO(storage.read_plain(name)), name)
        self.mode = "rb"

    def open(self, mode=None, *args, **kwargs):
        if not self.closed:
            self.seek(0)
        else:
            self.file = io.BytesIO(self._storage.read_plain(self.name))
        return self


class SealedFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage whose files are sealed at rest under `purpose` (see the module docstring). Files are
    created readable by their owner only (mode 0600) unless `file_permissions_mode` says otherwise."""

    #: what `shuniu keys rotate` looks for: the files of this storage are re-sealed under the current key
    sealed = True

    def __init__(self, *, purpose: str, file_permissions_mode: int | None = 0o600, **kwargs):
        self.purpose = purpose
        super().__init__(file_permissions_mode=file_permissions_mode, **kwargs)

    def _save(self, name, content):
        data = b"".join(content.chunks())
        return super()._save(name, ContentFile(crypto.seal(data, purpose=self.purpose)))

    def _open(self, name, mode="rb"):
        if any(flag in mode for flag in "wax+"):
            raise ValueError("A sealed file is written with save(), never opened for writing.")
        return SealedFile(self, name)

    def read_plain(self, name: str) -> bytes:
        """The stored file's contents; `crypto.DecryptionError` if they cannot be unsealed."""
        with super()._open(name, "rb") as handle:
            sealed = handle.read()
        return crypto.unseal(sealed, purpose=self.purpose)

    def size(self, name: str) -> int:
        """The size of the contents (the file on disk is larger by the seal's header, nonce and tag)."""
        return len(self.read_plain(name))
