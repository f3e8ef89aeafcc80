import { describe, expect, it } from 'vitest';
import { checkIdNumber, idCheckChar, maskIdNumber } from '../../shared/rules/id-number';
import { isValidPhone } from '../../shared/rules/phone';
import { passwordProblem } from '../../shared/rules/password';

describe('GB 11643 resident ID number', () => {
  it('computes the MOD 11-2 check character', () => {
    // The standard's own example: 11010519491231002X.
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(idCheckChar('42032519900307123')).toBe('8');
  });

  it('accepts valid numbers, lower-case x included', () => {
    expect(checkIdNumber('11010519491231002X')).toBeNull();
    expect(checkIdNumber('11010519491231002x')).toBeNull();
    expect(checkIdNumber('420325199003071238')).toBeNull();
    expect(checkIdNumber('18800101001400000X')).toBe('birth_date');
  });

  it('names the problem of an invalid number', () => {
    expect(checkIdNumber('1101051949123100')).toBe('length');
    expect(checkIdNumber('11010519491231002A')).toBe('characters');
    expect(checkIdNumber('110105194902300021')).toBe('birth_date');
    expect(checkIdNumber('110105194912310021')).toBe('check_digit');
  });

  it('masks all but the first three and last four characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X');
  });
});

describe('phones and passwords', () => {
  it('checks phone numbers', () => {
    expect(isValidPhone('13912345678')).toBe(true);
    expect(isValidPhone('0719-3221234')).toBe(true);
    expect(isValidPhone('1391234567')).toBe(false);
    expect(isValidPhone('12912345678')).toBe(false);
  });
  it('enforces the password policy', () => {
    expect(passwordProblem('Short1@x')).toBe('密码至少10位');
    expect(passwordProblem('onlyletters12')).toBe('密码须包含大写字母、小写字母、数字、符号中的至少三种');
    expect(passwordProblem('Zhangmin#2026', 'zhangmin')).toBe('密码不能包含用户名');
    expect(passwordProblem('Qwerty@123456')).toBe('该密码过于常见，容易被猜中，请换一个');
    expect(passwordProblem('12345678901')).toBe('密码须包含大写字母、小写字母、数字、符号中的至少三种');
    expect(passwordProblem('Fangxian#2026')).toBeNull();
    expect(passwordProblem('Qinglong river 9')).toBeNull(); // a pass phrase: lower, upper, digit and spaces
  });
});

describe('GB 32100 unified social credit code', () => {
  it('accepts published valid codes and names the problem of invalid ones', async () => {
    const { checkUscc, usccCheckChar } = await import('../../shared/rules/uscc');
    expect(checkUscc('91350100M000100Y43')).toBeNull();
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(checkUscc('91350100M000100Y44')).toBe('check_char');
    expect(checkUscc('91350100M000100Y4')).toBe('length');
    expect(checkUscc('91350100M000100I43')).toBe('characters'); // I is not used
  });
});
