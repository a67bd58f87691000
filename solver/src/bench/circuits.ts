/**
 * Generated benchmark decks: RC ladders, 2-D RC meshes, CMOS inverter chains and diode-resistor
 * networks (nonlinear), and a long parameterised deck for parse time.
 * Plain SPICE that ngspice 39 reads unchanged, so both simulators run the same text.
 */

export interface GeneratedDeck {
  /** Short case name for the results table. */
  name: string;
  text: string;
  /** Circuit nodes, ground and the source's driving node excluded. */
  nodes: number;
  /** Transient output points asked for (tstop / tstep), 0 for `.op` and parse cases. */
  points: number;
}

export type Analysis = { kind: 'op' } | { kind: 'tran'; points: number } | { kind: 'none' };

/** `.tran` with tstep = tmax = tstop / points: ngspice then writes about `points` rows, as we should. */
function analysisLines(analysis: Analysis, tstop: number, probes: string[]): string[] {
  if (analysis.kind === 'op') return ['.op'];
  if (analysis.kind === 'none') return [];
  const step = tstop / analysis.points;
  // Keep only a few vectors: the benchmark measures the solver, not storing 1000 vectors x 100k points.
  return [`.save ${probes.map((p) => `v(${p})`).join(' ')}`, `.tran ${step} ${tstop} 0 ${step}`];
}

/**
 * RC ladder of `sections` nodes: series 100 ohm, shunt 1 nF and 100 kohm to ground at every node, driven
 * by a 100 kHz sine (time constant per section 100 ns; tstop = 10 periods).
 */
export function rcLadder(sections: number, analysis: Analysis): GeneratedDeck {
  const lines = [`RC ladder with ${sections} sections`, 'V1 n0 0 DC 1 SIN(0 1 100k)'];
  for (let k = 1; k <= sections; k++) {
    lines.push(`R${k} n${k - 1} n${k} 100`, `C${k} n${k} 0 1n`, `RG${k} n${k} 0 100k`);
  }
  const mid = Math.max(1, Math.floor(sections / 2));
  lines.push(...analysisLines(analysis, 100e-6, [`n${mid}`, `n${sections}`]), '.end', '');
  return {
    name: `ladder-${sections} ${analysis.kind}${analysis.kind === 'tran' ? ` ${analysis.points / 1000}k pts` : ''}`,
    text: lines.join('\n'),
    nodes: sections,
    points: analysis.kind === 'tran' ? analysis.points : 0,
  };
}

/**
 * Chain of `stages` CMOS inverters (MOS level 1, 1 fF load per stage) from a 1.8 V supply, the first
 * driven by a pulse; `.op` solves all stages at once, `.tran` follows the edge down the chain.
 */
export function inverterChain(stages: number, analysis: Analysis): GeneratedDeck {
  const lines = [
    `CMOS inverter chain with ${stages} stages`,
    'VDD vdd 0 1.8',
    'VIN n0 0 DC 0 PULSE(0 1.8 1n 0.1n 0.1n 5n 10n)',
    '.model nch nmos level=1 vto=0.5 kp=200u lambda=0.05 cgso=0.3n cgdo=0.3n',
    '.model pch pmos level=1 vto=-0.5 kp=80u lambda=0.05 cgso=0.3n cgdo=0.3n',
  ];
  for (let k = 1; k <= stages; k++) {
    lines.push(
      `MN${k} n${k} n${k - 1} 0 0 nch w=1u l=0.2u`,
      `MP${k} n${k} n${k - 1} vdd vdd pch w=2u l=0.2u`,
      `CL${k} n${k} 0 1f`,
    );
  }
  const mid = Math.max(1, Math.floor(stages / 2));
  lines.push(...analysisLines(analysis, 20e-9, [`n${mid}`, `n${stages}`]), '.end', '');
  return {
    name: `inverters-${stages} ${analysis.kind}${analysis.kind === 'tran' ? ` ${analysis.points / 1000}k pts` : ''}`,
    text: lines.join('\n'),
    nodes: stages,
    points: analysis.kind === 'tran' ? analysis.points : 0,
  };
}

/**
 * Diode-resistor ladder of `sections` nodes: series 1 kohm, a diode and 10 kohm to ground at every node,
 * driven by 5 V (every junction at a different bias).
 */
export function diodeLadder(sections: number, analysis: Analysis): GeneratedDeck {
  const lines = [
    `Diode ladder with ${sections} sections`,
    'V1 n0 0 DC 5 SIN(0 5 1meg)',
    '.model dmod d is=1e-14 n=1.05 rs=1 cjo=1p tt=1n',
  ];
  for (let k = 1; k <= sections; k++) {
    lines.push(`R${k} n${k - 1} n${k} 1k`, `D${k} n${k} 0 dmod`, `RG${k} n${k} 0 10k`);
  }
  const mid = Math.max(1, Math.floor(sections / 2));
  lines.push(...analysisLines(analysis, 2e-6, [`n1`, `n${mid}`]), '.end', '');
  return {
    name: `diodes-${sections} ${analysis.kind}${analysis.kind === 'tran' ? ` ${analysis.points / 1000}k pts` : ''}`,
    text: lines.join('\n'),
    nodes: sections,
    points: analysis.kind === 'tran' ? analysis.points : 0,
  };
}

/**
 * `rows` x `cols` RC mesh: 1 kohm between grid neighbours, 10 pF from every node to ground, the corner
 * driven through 50 ohm by a 1 MHz sine, the opposite corner loaded with 1 kohm.
 */
export function rcMesh(rows: number, cols: number, analysis: Analysis): GeneratedDeck {
  const node = (r: number, c: number) => `m${r}_${c}`;
  const lines = [`RC mesh ${rows}x${cols}`, 'V1 src 0 DC 1 SIN(0 1 1meg)', `RS src ${node(0, 0)} 50`];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      n++;
      if (c + 1 < cols) lines.push(`RH${n} ${node(r, c)} ${node(r, c + 1)} 1k`);
      if (r + 1 < rows) lines.push(`RV${n} ${node(r, c)} ${node(r + 1, c)} 1k`);
      lines.push(`C${n} ${node(r, c)} 0 10p`);
    }
  }
  lines.push(`RL ${node(rows - 1, cols - 1)} 0 1k`);
  const probes = [node(Math.floor(rows / 2), Math.floor(cols / 2)), node(rows - 1, cols - 1)];
  lines.push(...analysisLines(analysis, 5e-6, probes), '.end', '');
  return {
    name: `mesh-${rows}x${cols} ${analysis.kind}${analysis.kind === 'tran' ? ` ${analysis.points / 1000}k pts` : ''}`,
    text: lines.join('\n'),
    nodes: rows * cols,
    points: analysis.kind === 'tran' ? analysis.points : 0,
  };
}

/**
 * A deck of exactly `lineCount` lines exercising the parser: comments, `.param` expressions, a
 * parameterised subcircuit and its instances, engineering suffixes, `{expr}` values, `+` continuations.
 * No analysis: it is timed for parsing and elaboration only.
 */
export function parseDeck(lineCount = 1000): GeneratedDeck {
  const lines = [
    'Generated deck for parser timing',
    '* parameters with expressions',
    '.param rbase=1k cbase=1p scale={sqrt(4)*0.5}',
    '.param rload={rbase*10} fc={1/(2*3.14159265*rbase*cbase)}',
    '.subckt cell a b params: r=1k c=1p',
    'R1 a mid {r}',
    'R2 mid b {r/2}',
    'C1 mid 0 {c}',
    '.ends cell',
    'V1 n0 0 DC 1 AC 1',
  ];
  const budget = lineCount - lines.length - 2;
  const body: string[] = [];
  let k = 0;
  while (body.length < budget) {
    const left = budget - body.length;
    const a = `n${k}`;
    const b = `n${k + 1}`;
    const variant = k % 4;
    if (variant === 0 && left >= 2)
      body.push(`* stage ${k}`, `R${k} ${a} ${b} ${(k % 9) + 1}.${k % 10}k ; inline comment`);
    else if (variant === 1 && left >= 2) body.push(`R${k} ${a} ${b}`, `+ {rbase*scale + ${k}}`);
    else if (variant === 2) body.push(`X${k} ${a} ${b} cell r={rbase*${(k % 5) + 1}} c={cbase*2}`);
    else body.push(`R${k} ${a} ${b} ${(k % 7) + 1}meg`);
    k++;
  }
  const text = [...lines, ...body, `RL n${k} 0 {rload}`, '.end'].join('\n') + '\n';
  const subcircuitNodes = body.filter((l) => l.startsWith('X')).length; // each cell adds its `mid` node
  return { name: `parse ${lineCount}-line deck`, text, nodes: k + 1 + subcircuitNodes, points: 0 };
}
