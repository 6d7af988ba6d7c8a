/** The serial number inside an account number (`DBcc` + 10 digits). */
export function accountSerial(account: string): number {
  return Number(account.slice(4));
}
