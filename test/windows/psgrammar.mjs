// The line eksboot writes for Start-EKSBootstrap.ps1, read by a real
// PowerShell grammar (tree-sitter-powershell, through web-tree-sitter):
// for each hostile value, `& 'Start-EKSBootstrap.ps1' <our line>` must
// parse without an error into one command whose parameters carry exactly
// the values given. Run by psgrammar.sh: node psgrammar.mjs EKSBOOT CA_PEM.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Parser, Language } from 'web-tree-sitter';

const [eksboot, caFile] = process.argv.slice(2);
const ca = readFileSync(caFile).toString('base64');
const endpoint = 'https://ABC.gr7.eu-west-1.eks.amazonaws.com';

// Values PowerShell would expand, end, split or escape if eksboot quoted
// them wrong: quotes of every kind PowerShell's tokenizer takes as single
// quotes, $ expansions, backticks, statement separators, comments,
// redirections, stop-parsing, splatting, and non-ASCII.
const hostile = [
	'--max-pods=20',
	"--v=2 'x'",
	"''",
	"'",
	'‘smart’ ‚low‛',
	"it's ‘a’'b'",
	'"$(Remove-Item C:\\x)" $env:PATH ${x} $x',
	'`n`t` trailing backtick`',
	'a & b | c ; d && e || f',
	'# not a comment',
	'> out.txt 2>&1 < in',
	'--% stop parsing',
	'@args @{a=1} @(1,2)',
	'%PATH% !x! ^& ^|',
	'ünï ✓ 日本',
	'-Flag -Other:value',
	'  leading and trailing  ',
];

await Parser.init();
const language = await Language.load(new URL('./node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm', import.meta.url).pathname);
const parser = new Parser();
parser.setLanguage(language);

// PowerShell reads a single-quoted (verbatim) string so: any of ' and
// U+2018..U+201B opens and closes it, two in a row stand for the first,
// and nothing else is special.
const isQuote = (c) => c === "'" || (c >= '\u2018' && c <= '\u201b');
function verbatim(text) {
	const cs = [...text];
	if (!isQuote(cs[0]) || !isQuote(cs[cs.length - 1])) throw new Error(`not a verbatim string: ${text}`);
	let out = '';
	for (let i = 1; i < cs.length - 1; i++) {
		out += cs[i];
		if (isQuote(cs[i])) {
			if (!isQuote(cs[i + 1]) || i + 1 === cs.length - 1) throw new Error(`a lone quote inside ${text}`);
			i++;
		}
	}
	return out;
}

// The grammar reads no digit in a parameter name (-Base64ClusterCA parses
// as an error), a limit of tree-sitter-powershell, not of PowerShell:
// such names are renamed before parsing, and back after.
const digitNames = { '-Base64ClusterCA': '-BaseSixtyFourClusterCA' };

function parameters(line) {
	let source = "& 'Start-EKSBootstrap.ps1' " + line;
	for (const [name, stand] of Object.entries(digitNames)) source = source.replaceAll(name + ' ', stand + ' ');
	const tree = parser.parse(source);
	const root = tree.rootNode;
	if (root.hasError) throw new Error(`does not parse: ${root.toString().slice(0, 300)}`);
	const commands = root.descendantsOfType('command');
	if (commands.length !== 1) throw new Error(`${commands.length} commands, want one`);
	const command = commands[0];
	const name = command.childForFieldName('command_name');
	if (verbatim(name.text) !== 'Start-EKSBootstrap.ps1') throw new Error(`command ${name.text}`);
	const elements = command.childForFieldName('command_elements').namedChildren.filter((n) => n.type !== 'command_argument_sep');
	const got = {};
	for (let i = 0; i < elements.length; i += 2) {
		const param = elements[i];
		const value = elements[i + 1];
		if (param.type !== 'command_parameter' || !value || value.type !== 'array_literal_expression') {
			throw new Error(`element ${i}: ${param.type} ${param.text.slice(0, 40)} then ${value && value.type}`);
		}
		let pname = param.text;
		for (const [real, stand] of Object.entries(digitNames)) if (pname === stand) pname = real;
		got[pname] = value.namedChildren.map((v) => {
			if (v.type !== 'unary_expression' || v.namedChildren[0].type !== 'string_literal') throw new Error(`${pname}: ${v.type} ${v.text}`);
			return verbatim(v.text);
		});
	}
	return got;
}

let failures = 0;
// The check itself must see quoting gone wrong: a quote left single ends
// the string early, and a double-quoted string would expand.
for (const bad of ["-KubeletExtraArgs 'it's'", '-KubeletExtraArgs "$(x)"', "-KubeletExtraArgs 'a' 'b'", "-KubeletExtraArgs 'a'; Remove-Item C:\\x"]) {
	try {
		parameters(bad);
		failures++;
		console.error(`FAIL  the check reads ${bad} as well quoted`);
	} catch {
		// as it must
	}
}
for (const v of hostile) {
	const args = ['render', '--target', 'windows', '--cluster-name', 'prod', '--apiserver-endpoint', endpoint,
		'--b64-cluster-ca', ca, '--service-ipv4-cidr', '10.100.0.0/16', '--imds-endpoint', 'http://127.0.0.1:1',
		'--config', 'none.yaml', '--node-labels', 'team=data', '--kubelet-extra-args', v, '--kube-proxy-extra-args', v,
		'--excluded-snat-cidrs', '10.10.0.0/16,192.168.5.0/24'];
	const want = {
		'-EKSClusterName': ['prod'], '-APIServerEndpoint': [endpoint], '-Base64ClusterCA': [ca],
		'-ServiceCIDR': ['10.100.0.0/16'], '-DNSClusterIP': ['10.100.0.10'],
		'-KubeletExtraArgs': [('--node-labels=team=data ' + v.trim()).trim()], '-KubeProxyExtraArgs': [v.trim()], // eksboot trims what it passes on
		'-ExcludedSnatCIDRs': ['10.10.0.0/16', '192.168.5.0/24'],
	};
	try {
		const line = execFileSync(eksboot, args, { env: { PATH: process.env.PATH }, cwd: process.env.WORK }).toString().replace(/\n$/, '');
		const got = parameters(line);
		for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
			if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
				throw new Error(`${key} reads back as ${JSON.stringify(got[key])}, want ${JSON.stringify(want[key])}`);
			}
		}
	} catch (e) {
		failures++;
		console.error(`FAIL  ${JSON.stringify(v)}: ${e.message}`);
	}
}
if (failures > 0) process.exit(1);
console.log(`ok    windows line read by tree-sitter-powershell (${hostile.length} hostile values, every parameter recovered exactly)`);
