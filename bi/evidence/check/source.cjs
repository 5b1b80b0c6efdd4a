// Runs finsam's Evidence source (sources/finsam) through the real @evidence-dev/duckdb plugin, the way
// `npm run sources` of an Evidence project does: the plugin's getRunner with the source's connection.yaml
// options and folder, one query at a time. Prints one JSON object: each query's rows, or its error.
// usage: node check/source.cjs [source folder]   (from bi/evidence, after `npm install --package-lock=false`)
const fs = require('fs');
const path = require('path');
const plugin = require('@evidence-dev/duckdb');
const { batchedAsyncGeneratorToArray } = require('@evidence-dev/db-commons');

const QUERIES = {
	finsam_settings: null, // the source's own query file
	run_info: null,
	marts: "select table_name from information_schema.tables where table_schema = 'marts' order by 1",
	reconciliations: 'select count(*) as n from marts.reconciliations',
	read_csv: "select * from read_csv('/etc/hostname')",
	copy_to: "copy (select 1 as x) to '__COPY_TARGET__'",
	switch_back: "set enable_external_access = true; select current_setting('enable_external_access') as on_after"
};

(async () => {
	const folder = path.resolve(process.argv[2] || 'sources/finsam');
	const yaml = fs.readFileSync(path.join(folder, 'connection.yaml'), 'utf-8');
	const filename = yaml.match(/^\s*filename:\s*(\S+)/m)[1];
	const runner = await plugin.getRunner({ filename }, folder);
	const out = {};
	for (const [name, given] of Object.entries(QUERIES)) {
		const file = path.join(folder, `${name}.sql`);
		const sql = (given ?? fs.readFileSync(file, 'utf-8')).replace('__COPY_TARGET__', path.join(folder, 'copied.csv'));
		try {
			const result = await runner(sql, file, 1000);
			const rows = await batchedAsyncGeneratorToArray(result.rows);
			out[name] = { rows: JSON.parse(JSON.stringify(rows, (k, v) => (typeof v === 'bigint' ? Number(v) : v))) };
		} catch (e) {
			out[name] = { error: String(e && e.message ? e.message : e) };
		}
	}
	process.stdout.write(JSON.stringify(out) + '\n');
})();
