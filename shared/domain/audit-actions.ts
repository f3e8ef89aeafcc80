/** Chinese labels for audit actions, shown in the audit log; unknown codes are shown as they are. */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  'seed.demo': '初始化演示数据',
  'setup.initialize': '初始化工作台',
  'auth.signIn': '登录',
  'auth.signOut': '退出登录',
  'auth.signInFailed': '登录失败',
  'auth.signInRefused': '拒绝登录',
  'auth.accountLocked': '账号锁定',
  'auth.unlock': '解锁工作台',
  'auth.passwordChanged': '修改密码',
  'user.create': '新建用户',
  'user.unlock': '解锁账号',
  'user.resetPassword': '重置密码',
  'user.enable': '启用账号',
  'user.disable': '停用账号',
  'applicant.create': '登记申请人',
  'applicant.revealId': '查看完整证件号码',
  'audit.verify': '校验审计链',
  'catalog.import': '导入证明事项清单',
  'case.create': '创建办件',
  'case.subject': '登记证明对象',
  'case.commitmentChoice': '记录承诺选择',
  'case.transition': '办件状态变更',
  'case.switchToVerification': '改为部门核验',
  'commitment.sign': '签署告知承诺书',
  'commitment.withdraw': '撤回承诺',
  'dataSharing.query': '数据共享查询',
  'assistance.request': '发起协查',
  'assistance.reply': '登记协查答复',
  'material.add': '核对原件并留存',
  'material.reuse': '复用材料',
  'credit.repair': '登记信用修复',
};

export function auditActionLabel(action: string): string {
  return AUDIT_ACTION_LABELS[action] ?? action;
}
