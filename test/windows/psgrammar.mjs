// The line eksboot writes for Start-EKSBootstrap.ps1, read by a real
// PowerShell grammar (tree-sitter-powershell, through web-tree-sitter):
// for each hostile value, `& 'Start-EKSBootstrap.ps1' <our line>` must
// parse without an error into one command whose parameters carry exactly
// the values given. Run by psgrammar.sh: node psgrammar.mjs EKSBOOT CA_PEM.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Parser, Language } from 'web-tree-sitter';

const [eksboot, caFile, exampleFile] = process.argv.slice(2);
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

// The grammar reads no digit in a parameter name (-Base64ClusterCA, and
// --b64-cluster-ca, parse as errors), a limit of tree-sitter-powershell,
// not of PowerShell: such names are spelled out before parsing
// (-BaseSixFourClusterCA), and mapped back after.
const digitWords = 'zero one two three four five six seven eight nine'.split(' ');
const spelled = new Map();
function parse(source) {
	source = source.replace(/(?<=\s)--?[A-Za-z][A-Za-z0-9-]*/g, (name) => {
		const stand = name.replace(/[0-9]/g, (d) => digitWords[d].replace(/^./, (c) => c.toUpperCase()));
		spelled.set(stand, name);
		return stand;
	});
	const root = parser.parse(source).rootNode;
	if (root.hasError) throw new Error(`does not parse: ${root.toString().slice(0, 300)}`);
	return root;
}
const realName = (text) => spelled.get(text) ?? text;

// elements are a command's arguments as PowerShell binds them: parameter
// names, bare words, and verbatim strings decoded.
function elements(command) {
	return command.childForFieldName('command_elements').namedChildren
		.filter((n) => n.type !== 'command_argument_sep')
		.map((n) => {
			switch (n.type) {
				case 'command_parameter':
					return { param: realName(n.text) };
				case 'generic_token':
					return { values: [n.text] };
				case 'array_literal_expression':
					return {
						values: n.namedChildren.map((v) => {
							if (v.type !== 'unary_expression' || v.namedChildren[0].type !== 'string_literal') throw new Error(`${v.type} ${v.text}`);
							return verbatim(v.text);
						}),
					};
			}
			throw new Error(`${n.type} ${n.text.slice(0, 40)}`);
		});
}

// parameters reads line as run --exec hands it to powershell.exe
// -EncodedCommand (bootstrap.WindowsHandoverScript): after the script's
// path, then the script's exit code as powershell.exe's.
function parameters(line) {
	const root = parse("& 'C:\\Program Files\\Amazon\\EKS\\Start-EKSBootstrap.ps1' " + line + '\nexit $LASTEXITCODE\n');
	const commands = root.descendantsOfType('command');
	if (commands.length !== 1) throw new Error(`${commands.length} commands, want one`);
	const name = commands[0].childForFieldName('command_name');
	if (verbatim(name.text) !== 'C:\\Program Files\\Amazon\\EKS\\Start-EKSBootstrap.ps1') throw new Error(`command ${name.text}`);
	const els = elements(commands[0]);
	const got = {};
	for (let i = 0; i < els.length; i += 2) {
		if (!els[i].param || !els[i + 1] || !els[i + 1].values) throw new Error(`element ${i} is not a parameter and its value`);
		got[els[i].param] = els[i + 1].values;
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
	// eksboot refuses a " in kubelet's and kube-proxy's arguments on
	// Windows (it would split their service command lines).
	const kubelet = v.includes('"') ? '--v=2' : v;
	const proxy = kubelet;
	const args = ['render', '--target', 'windows', '--cluster-name', 'prod', '--apiserver-endpoint', endpoint,
		'--b64-cluster-ca', ca, '--service-ipv4-cidr', '10.100.0.0/16', '--imds-endpoint', 'http://127.0.0.1:1',
		'--config', 'none.yaml', '--node-labels', 'team=data', '--kubelet-extra-args', kubelet, '--kube-proxy-extra-args', proxy,
		'--excluded-snat-cidrs', '10.10.0.0/16,192.168.5.0/24'];
	const want = {
		'-EKSClusterName': ['prod'], '-APIServerEndpoint': [endpoint], '-Base64ClusterCA': [ca],
		'-ServiceCIDR': ['10.100.0.0/16'], '-DNSClusterIP': ['10.100.0.10'],
		'-KubeletExtraArgs': [('--node-labels=team=data ' + kubelet.trim()).trim()], '-KubeProxyExtraArgs': [proxy.trim()], // eksboot trims what it passes on
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
// The user-data example (packaging/examples/windows-user-data.ps1, shown
// in the README) parses, and runs eksboot.exe with the flags that
// test/windows/e2e.sh's windows_exec runs under Wine; its inputs, the
// placeholder CA aside, are ones eksboot accepts.
const exampleRun = ['run', '--target', 'windows', '--exec', '--wait', '2m'];
const exampleInputs = ['--cluster-name', '--apiserver-endpoint', '--b64-cluster-ca', '--service-ipv4-cidr'];
try {
	const text = readFileSync(exampleFile, 'utf8');
	const body = text.match(/^<powershell>\n([\s\S]*)<\/powershell>\n$/);
	if (!body) throw new Error('is not one <powershell> block');
	const calls = parse(body[1]).descendantsOfType('command').filter((c) => /eksboot\.exe"?$/.test(c.childForFieldName('command_name').text));
	if (calls.length !== 1) throw new Error(`${calls.length} eksboot.exe commands, want one`);
	const words = elements(calls[0]).flatMap((e) => (e.param ? [e.param] : e.values));
	if (JSON.stringify(words.slice(0, exampleRun.length)) !== JSON.stringify(exampleRun)) throw new Error(`starts ${words.slice(0, 6).join(' ')}`);
	const inputs = words.slice(exampleRun.length);
	if (JSON.stringify(inputs.filter((_, i) => i % 2 === 0)) !== JSON.stringify(exampleInputs)) throw new Error(`inputs ${inputs.join(' ')}`);
	const args = ['render', '--target', 'windows', '--imds-endpoint', 'http://127.0.0.1:1', '--config', 'none.yaml'];
	for (let i = 0; i < inputs.length; i += 2) args.push(inputs[i], inputs[i] === '--b64-cluster-ca' ? ca : inputs[i + 1]);
	execFileSync(eksboot, args, { env: { PATH: process.env.PATH }, cwd: process.env.WORK, stdio: ['ignore', 'ignore', 'pipe'] });
	if (!/\$LASTEXITCODE -ne 0[\s\S]*throw/.test(body[1])) throw new Error('does not fail the launch when eksboot says no');
} catch (e) {
	failures++;
	console.error(`FAIL  ${exampleFile}: ${e.message}${e.stderr ? ' ' + e.stderr : ''}`);
}

if (failures > 0) process.exit(1);
console.log(`ok    windows line read by tree-sitter-powershell (${hostile.length} hostile values in the run --exec command, every parameter recovered exactly, -ExcludedSnatCIDRs an array; the user-data example)`);
