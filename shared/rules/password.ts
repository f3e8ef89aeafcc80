/** Local password policy: at least 8 characters with letters and digits. */
export function passwordProblem(pw: string): string | null {
  if (pw.length < 8) return '密码至少8位';
  if (pw.length > 128) return '密码不能超过128位';
  if (!/[A-Za-z]/.test(pw) || !/\d/.test(pw)) return '密码须同时包含字母和数字';
  return null;
}
