"""Validate every input before anything is built, and load the validated collection into the build file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from finsam.inputs.findings import Finding
from finsam.inputs.layouts import COLLECTION_LAYOUTS, load_schemas
from finsam.inputs.readers import collection_files, read_csv_table, read_parquet_table
from finsam.inputs.rules import check_facts, check_keys, check_own_lines, check_references, check_values, serialise
from finsam.inputs.store import Inputs, sql_string
from finsam.project import Project


@dataclass
class ValidationResult:
    problems: list[Finding]
    readings: list[Finding]
    normalised: dict[Path, str]                               # relative seed path -> normalised CSV text
    inputs: Inputs | None = None
    collection: dict[str, str] = field(default_factory=dict)  # collection file name -> its validator table
    org_ids: set[str] = field(default_factory=set)            # every association of seeds and collection

    @property
    def ok(self) -> bool:
        return not self.problems

    def _kept(self, name: str) -> str:
        table = self.collection[name]
        return (f"{table} as t where not exists "
                "(select 1 from dropped as d where d._file = t._file and d._line = t._line)")

    def collection_rows(self, name: str) -> int:
        """How many rows of a collection file are loaded (an identical duplicate once)."""
        return self.inputs.con.execute(f"select count(*) from {self._kept(name)}").fetchall()[0][0]

    def close(self) -> None:
        """Free the validator's tables (the whole collection, at scale)."""
        if self.inputs is not None:
            self.inputs.close()
            self.inputs = None

    def load_collection(self, build_db: Path) -> None:
        """The validated collection into schema `collection` of the (existing) build file, typed by each layout."""
        if not self.collection:
            return
        con = self.inputs.con
        con.execute(f"attach {sql_string(str(build_db))} as build")
        try:
            con.execute("create schema build.collection")
            for name, table in self.collection.items():
                schema = self.inputs.schemas[table]
                typed = ", ".join(f"cast(nullif(\"{c}\", '') as {schema.sql_types[c]}) as \"{c}\"" for c in schema.columns)
                con.execute(f'create table build.collection."{name}" as select {typed} from {self._kept(name)} order by _line')
        finally:
            con.execute("detach build")


def validate_inputs(project: Project, collection: Path | None = None) -> ValidationResult:
    """Validate every seed, and the collection folder if given; return all problems and notes, the
    normalised seed texts and the validated collection, ready to load into the build."""
    schemas = load_schemas(project)
    problems: list[Finding] = []
    readings: list[Finding] = []
    inputs = Inputs()
    seeds: dict[str, str] = {}
    described = {s.path.relative_to(project.seeds_dir) for s in schemas.values()}
    for rel_path in sorted({p.relative_to(project.seeds_dir) for p in project.seeds_dir.rglob("*.csv")} - described):
        problems.append(Finding(f"seeds/{rel_path}", 1, 1, None, None,
                                "no schema for this seed: describe it and its columns in the _*.yml beside it"))
    for name, schema in schemas.items():
        rel = f"seeds/{schema.path.relative_to(project.seeds_dir)}"
        if not schema.path.is_file():
            problems.append(Finding(rel, 1, 1, None, None, "the seed file is missing; restore it from git"))
            continue
        table = read_csv_table(schema.path, rel, schema, problems, readings)
        if table is not None:
            check_values(table, problems, readings)
            seeds[name] = inputs.add_rows(table)
    loaded: dict[str, str] = {}
    if collection is not None:
        files, folder_problems, notes = collection_files(collection)
        problems += folder_problems
        readings += notes
        for name, path in files.items():
            schema = schemas[COLLECTION_LAYOUTS[name]]
            before = set(inputs.schemas)
            if path.suffix == ".csv":
                table = read_csv_table(path, str(path), schema, problems, readings)
                if table is not None:
                    check_values(table, problems, readings)
                    inputs.add_rows(table)
            else:
                read_parquet_table(inputs, path, str(path), schema, problems, readings)
            loaded.update({name: table_name for table_name in set(inputs.schemas) - before})
    check_keys(inputs, problems, readings)
    check_references(inputs, problems)
    check_own_lines(inputs, problems)
    check_facts(inputs, problems)
    dropped: dict[str, set[int]] = {}
    for file, line in inputs.con.execute("select _file, _line from dropped").fetchall():
        dropped.setdefault(file, set()).add(line)
    normalised = {schemas[name].path.relative_to(project.seeds_dir):
                  serialise(inputs.rows[table], dropped.get(inputs.rels[table], set())) for name, table in seeds.items()}
    org_ids = {r["org_id"] for r in inputs.table_rows("organisations")}
    return ValidationResult(problems, readings, normalised, inputs, loaded, org_ids)
