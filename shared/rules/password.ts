/**
 * The password policy for every new password (setup, a new user, a reset, a change), fit for
 * 等保 三级 身份鉴别: 10–128 characters, at least three of the four kinds (lower case, upper case,
 * digits, other characters), not containing the user name, and not a commonly used password.
 * Passwords already set are not re-checked (they keep working until changed).
 */
export function passwordProblem(pw: string, username?: string): string | null {
  if (pw.length < 10) return '密码至少10位';
  if (pw.length > 128) return '密码不能超过128位';
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((re) => re.test(pw)).length;
  if (kinds < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三种';
  if (username && username.length >= 3 && pw.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  if (isCommonPassword(pw)) return '该密码过于常见，容易被猜中，请换一个';
  return null;
}

/**
 * Commonly used passwords (from the published leaked-password top lists, Chinese and international),
 * compared in lower case and with a trailing run of digits and symbols set aside, so that
 * `Password123!` and `Admin@2026` count as the words they are built on.
 */
const COMMON_WORDS = new Set([
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'admin', 'administrator', 'root', 'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl',
  'zxcvbnm', 'abc', 'abcd', 'abcdef', 'abcdefg', 'aa', 'aaa', 'a', 'qq', 'woaini', 'iloveyou', 'welcome', 'letmein', 'test',
  'user', 'guest', 'super', 'superadmin', 'manager', 'system', 'sysadmin', 'changeme', 'default', 'huawei', 'china', 'beijing',
  'zhangsan', 'lisi', 'wangwu', 'desk', 'hall', 'gov', 'zwfw',
]);

export function isCommonPassword(pw: string): boolean {
  const lower = pw.toLowerCase();
  if (/^\d+$/.test(lower)) return true;
  const word = lower.replace(/[\d\W_]+$/, '');
  return COMMON_WORDS.has(lower) || COMMON_WORDS.has(word) || /^(.)\1+$/.test(word) || /^(012|123|234|345|456|567|678|789|987|876|765|654|543|432|321)/.test(lower);
}

/** What the forms say under a new-password field. */
export const PASSWORD_POLICY_HINT = '至少10位，含大写字母、小写字母、数字、符号中的至少三种，不能包含用户名或使用常见密码';
