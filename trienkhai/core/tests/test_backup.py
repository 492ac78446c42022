"""Backup and restore: what comes back is what was there, and a damaged backup is refused."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from trienkhai.core import backup
from trienkhai.core.testing import build_world
from trienkhai.units.models import Unit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "documents" / "2020").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "2020" / "kh-52.pdf").write_bytes(b"%PDF-1.4 ke hoach")
    return settings.MEDIA_ROOT


def test_a_restore_brings_back_the_data_and_the_files(tmp_path, media):
    world = build_world()
    result = backup.backup(tmp_path / "backups")
    manifest = json.loads((result.path / backup.MANIFEST).read_text())
    assert set(manifest["files"]) == {result.path.glob("database.*").__next__().name, "media.tar"}
    assert manifest["migrations"]["units"]

    # after the backup: a unit renamed, one added, a file lost and one added
    Unit.objects.filter(pk=world.ben_thanh.pk).update(name="Tên sai")
    Unit.objects.add_root(instance=Unit(name="Đơn vị thêm sau", kind="party_committee"))
    (media / "documents" / "2020" / "kh-52.pdf").unlink()
    (media / "stray.txt").write_text("sau sao lưu")

    call_command("restore", str(result.path), "--yes")
    assert Unit.objects.get(pk=world.ben_thanh.pk).name == world.ben_thanh.name
    assert not Unit.objects.filter(name="Đơn vị thêm sau").exists()
    assert (media / "documents" / "2020" / "kh-52.pdf").read_bytes() == b"%PDF-1.4 ke hoach"


def test_a_damaged_backup_is_refused_before_anything_changes(tmp_path, media):
    world = build_world()
    result = backup.backup(tmp_path / "backups")
    Unit.objects.filter(pk=world.ben_thanh.pk).update(name="Sau sao lưu")
    tar = result.path / "media.tar"
    tar.write_bytes(tar.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(result.path), "--yes")
    assert Unit.objects.get(pk=world.ben_thanh.pk).name == "Sau sao lưu"


def test_check_only_verifies(tmp_path, media, capsys):
    build_world()
    result = backup.backup(tmp_path / "backups")
    call_command("restore", str(result.path), "--check")
    assert "checksums OK" in capsys.readouterr().out


def test_a_folder_that_is_not_a_backup_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), "--yes")


def test_a_tar_with_an_escaping_path_is_refused(tmp_path, media):
    import hashlib
    import io
    import tarfile

    build_world()
    result = backup.backup(tmp_path / "backups")
    tar_path = result.path / "media.tar"
    with tarfile.open(tar_path, "w") as tar:
        data = b"owned"
        info = tarfile.TarInfo("../../escape.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    manifest = json.loads((result.path / backup.MANIFEST).read_text())
    manifest["files"]["media.tar"] = hashlib.sha256(tar_path.read_bytes()).hexdigest()
    (result.path / backup.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="outside"):
        call_command("restore", str(result.path), "--yes")
    assert not (tmp_path / "escape.txt").exists()


def test_the_backup_command_prints_where_it_wrote(tmp_path, media, capsys):
    build_world()
    call_command("backup", str(tmp_path / "b"))
    out = capsys.readouterr().out
    assert "Backup written to" in out and "sha256" in out
