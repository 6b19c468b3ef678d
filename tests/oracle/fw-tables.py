#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the hand-made firmware tables of tests/data/hosts/fw-*/.

QEMU cannot produce these layouts, so they are built here byte by byte from
the specifications: ACPI 6.5 §5.2.12 (MADT), Arm DEN 0049E.d (IORT,
revision 5). Run from the top of the tree; the output is committed, so this
runs only when a fixture changes:

    python3 tests/oracle/fw-tables.py
"""
import os
import struct


def acpi_table(signature, revision, body):
    """An ACPI table: 36-byte header (with a right checksum) + body."""
    length = 36 + len(body)
    header = struct.pack("<4sIBB6s8sI4sI", signature, length, revision, 0, b"MIGMAP",
                         b"FWTEST  ", 1, b"MIGM", 1)
    table = bytearray(header + body)
    table[9] = (-sum(table)) & 0xff
    return bytes(table)


# ---- MADT subtables ----

def gicd(base):
    return struct.pack("<BBHIQIB3s", 0xC, 24, 0, 0, base, 0, 3, b"\0\0\0")


def gic_its(its_id, base):
    return struct.pack("<BBHIQI", 0xF, 20, 0, its_id, base, 0)


def madt(subtables):
    return acpi_table(b"APIC", 5, struct.pack("<II", 0, 0) + b"".join(subtables))


# ---- IORT nodes: a header of 16 bytes, then type data, then ID mappings ----

def id_mapping(input_base, count, output_base, output_ref, flags=0):
    # count is the number of IDs minus one, as the spec has it
    return struct.pack("<IIIII", input_base, count, output_base, output_ref, flags)


def node(node_type, revision, identifier, data, mappings):
    mapping_offset = 16 + len(data) if mappings else 0
    length = 16 + len(data) + 20 * len(mappings)
    return struct.pack("<BHBIII", node_type, length, revision, identifier, len(mappings),
                       mapping_offset) + data + b"".join(mappings)


def its_group(identifier, its_ids):
    return node(0, 1, identifier, struct.pack("<I", len(its_ids)) +
                b"".join(struct.pack("<I", i) for i in its_ids), [])


def smmu_v3(identifier, base, model, mappings):
    data = struct.pack("<QIIQIIIIIII", base, 1, 0, 0, model, 0, 0, 0, 0, 0, 0)
    return node(4, 5, identifier, data, mappings)


def root_complex(identifier, segment, mappings):
    # memory access properties, ATS attribute, segment, address size limit,
    # PASID capabilities, reserved, flags
    data = struct.pack("<QIIBHBI", 0x0300000000000001, 0, segment, 48, 0, 0, 0)
    return node(2, 4, identifier, data, mappings)


def iort(nodes):
    """nodes: functions from the list of node offsets to a node's bytes, so
    that a node can refer to the others (a node's length does not depend on
    the offsets it refers to)."""
    body_offset = 36 + 12
    offsets, at = [], body_offset
    for n in nodes:
        offsets.append(at)
        at += len(n([0] * len(nodes)))
    data = b"".join(n(offsets) for n in nodes)
    return acpi_table(b"IORT", 5, struct.pack("<III", len(nodes), body_offset, 0) + data)


def write(host, name, data):
    path = os.path.join("tests/data/hosts", host, "sys/firmware/acpi/tables", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def its_direct():
    """Two root complexes: segment 0 behind a generic SMMUv3 whose MSIs go
    to ITS 0, segment 1 mapped straight to the group of ITS 1 (the way
    QEMU's build_iort() maps the RIDs it keeps out of the SMMU)."""
    nodes = [
        lambda o: its_group(0, [0]),
        lambda o: its_group(1, [1]),
        lambda o: smmu_v3(2, 0x9050000, 0, [id_mapping(0, 0xffff, 0, o[0])]),
        lambda o: root_complex(3, 0, [id_mapping(0, 0xffff, 0, o[2])]),
        lambda o: root_complex(4, 1, [id_mapping(0, 0xffff, 0x10000, o[1])]),
    ]
    write("fw-its-direct", "IORT", iort(nodes))
    write("fw-its-direct", "APIC", madt([gicd(0x8000000), gic_its(0, 0x8080000),
                                         gic_its(1, 0x9100000)]))


def bad_tables():
    """A MADT whose second subtable has length 0, and an IORT cut short:
    its header claims 0x100 bytes more than the file holds."""
    good = madt([gicd(0x8000000), gic_its(0, 0x8080000)])
    zero = bytearray(good)
    zero[36 + 8 + 24 + 1] = 0  # the ITS entry's length
    write("fw-bad-tables", "APIC", bytes(zero))
    nodes = [
        lambda o: its_group(0, [0]),
        lambda o: smmu_v3(1, 0x9050000, 0, [id_mapping(0, 0xffff, 0, o[0])]),
        lambda o: root_complex(2, 0, [id_mapping(0, 0xffff, 0, o[1])]),
    ]
    table = bytearray(iort(nodes))
    struct.pack_into("<I", table, 4, len(table) + 0x100)
    write("fw-bad-tables", "IORT", bytes(table[:len(table) - 30]))


if __name__ == "__main__":
    its_direct()
    bad_tables()
