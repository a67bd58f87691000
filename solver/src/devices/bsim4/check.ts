/**
 * Parameter checks of a BSIM4 instance, as ngspice's b4check.c does them when PARAMCHK = 1 (the default):
 * values that make the equations meaningless are fatal (a thrown message), values outside the range the
 * model was fitted for are warnings. The messages use the manual's parameter names.
 */
import type { Bsim4Sized } from './core';
import type { Bsim4Card } from './params';

export class Bsim4ParameterError extends Error {}

/** Warnings for `sized` (a fatal problem throws a Bsim4ParameterError). */
export function checkModel(card: Bsim4Card, p: Bsim4Sized): string[] {
  const warnings: string[] = [];
  const fatal: string[] = [];
  const v = (n: string) => card.value(n);
  const ndep = card.params.ndep ?? v('ndep');
  const nsd = card.params.nsd ?? v('nsd');
  if (p.leff <= 0) fatal.push(`Leff = ${p.leff} is not positive`);
  if (p.weff <= 0) fatal.push(`Weff = ${p.weff} is not positive`);
  if (p.toxe <= 0) fatal.push(`Toxe = ${p.toxe} is not positive`);
  if (ndep <= 0) fatal.push(`Ndep = ${ndep} is not positive`);
  if (p.phi <= 0) fatal.push(`Phi = ${p.phi} is not positive (check NDEP and PHIN)`);
  if (p.xj <= 0) fatal.push(`Xj = ${p.xj} is not positive`);
  if (p.dvt1 < 0) fatal.push(`Dvt1 = ${p.dvt1} is negative`);
  if (p.dvt1w < 0) fatal.push(`Dvt1w = ${p.dvt1w} is negative`);
  if (p.w0 === -p.weff) fatal.push('(W0 + Weff) = 0 causing divide by zero');
  if (p.b1 === -p.weff) fatal.push('(B1 + Weff) = 0 causing divide by zero');
  if (p.u0temp <= 0) fatal.push(`u0 at current temperature = ${p.u0temp} is not positive`);
  if (p.delta < 0) fatal.push(`Delta = ${p.delta} is less than zero`);
  if (p.vsattemp <= 0) fatal.push(`Vsat at current temperature = ${p.vsattemp} is not positive`);
  if (p.pclm <= 0) fatal.push(`Pclm = ${p.pclm} is not positive`);
  if (card.value('drout') < 0) fatal.push(`Drout = ${card.value('drout')} is negative`);
  if (p.lpe0 < -p.leff) fatal.push(`Lpe0 = ${p.lpe0} is less than -Leff`);
  if (p.ngate < 0) fatal.push(`Ngate = ${p.ngate} is negative`);
  if (p.ngate > 1e25) fatal.push(`Ngate = ${p.ngate} is too high`);
  if (fatal.length) throw new Bsim4ParameterError(`BSIM4 parameter check failed: ${fatal.join('; ')}`);

  if (p.leff <= 1e-9) warnings.push(`Leff = ${p.leff} <= 1.0e-9: may be too small`);
  if (p.leffCV <= 1e-9) warnings.push(`Leff for CV = ${p.leffCV} <= 1.0e-9: may be too small`);
  if (p.weff <= 1e-9) warnings.push(`Weff = ${p.weff} <= 1.0e-9: may be too small`);
  if (p.weffCV <= 1e-9) warnings.push(`Weff for CV = ${p.weffCV} <= 1.0e-9: may be too small`);
  if (p.toxe < 5e-10) warnings.push(`Toxe = ${p.toxe} is less than 5A: may be too thin`);
  if (ndep <= 1e12) warnings.push(`Ndep = ${ndep} may be too small`);
  else if (ndep >= 1e21) warnings.push(`Ndep = ${ndep} may be too large`);
  if (nsd <= 1e18) warnings.push(`Nsd = ${nsd} may be too small`);
  if (p.ngate > 0 && p.ngate <= 1e18) warnings.push(`Ngate = ${p.ngate} is less than 1.E18cm^-3`);
  if (p.dvt0 < 0) warnings.push(`Dvt0 = ${p.dvt0} is negative`);
  if (Math.abs(1e-8 / (p.w0 + p.weff)) > 10) warnings.push('(W0 + Weff) may be too small');
  if (p.nfactor < 0) warnings.push(`Nfactor = ${p.nfactor} is negative`);
  if (p.cdsc < 0) warnings.push(`Cdsc = ${p.cdsc} is negative`);
  if (p.cdscd < 0) warnings.push(`Cdscd = ${p.cdscd} is negative`);
  if (p.eta0 < 0) warnings.push(`Eta0 = ${p.eta0} is negative`);
  if (Math.abs(1e-8 / (p.b1 + p.weff)) > 10) warnings.push('(B1 + Weff) may be too small');
  if (p.a2 < 0.01) warnings.push(`A2 = ${p.a2} is too small; the model may misbehave`);
  else if (p.a2 > 1) warnings.push(`A2 = ${p.a2} is larger than 1; the model may misbehave`);
  if (p.rdswmin < 0) warnings.push(`Rdswmin at current temperature = ${p.rdswmin} is negative`);
  if (p.rds0 < 0) warnings.push(`Rds at current temperature = ${p.rds0} is negative`);
  if (p.vsattemp < 1e3) warnings.push(`Vsat at current temperature = ${p.vsattemp} may be too small`);
  if (p.pdiblb < 0) {
    // ngspice resets a negative PDIBLB with forward body bias only through the smoothing; it just warns.
  }
  if (card.value('pdiblc1') < 0) warnings.push(`Pdibl1 = ${card.value('pdiblc1')} is negative`);
  if (card.value('pdiblc2') < 0) warnings.push(`Pdibl2 = ${card.value('pdiblc2')} is negative`);
  if (p.pscbe2 <= 0) warnings.push(`Pscbe2 = ${p.pscbe2} is not positive`);
  if (p.lambda < 0 && p.lambdaOn) warnings.push(`Lambda = ${p.lambda} is negative`);
  if (p.fprout < 0) warnings.push(`Fprout = ${p.fprout} is negative`);
  if (p.pdits < 0) warnings.push(`Pdits = ${p.pdits} is negative`);
  if (p.pditsl < 0) warnings.push(`Pditsl = ${p.pditsl} is negative`);
  if (p.cgdo < 0) warnings.push(`cgdo = ${p.cgdo} is negative, set to zero`);
  if (p.cgso < 0) warnings.push(`cgso = ${p.cgso} is negative, set to zero`);
  if (p.cgbo < 0) warnings.push(`cgbo = ${p.cgbo} is negative, set to zero`);
  return warnings;
}
