/**
 * Demo catalog for 房县政务服务中心 (湖北省十堰市房县, region code 420325).
 *
 * Pure data: certificate items with their handling method under the
 * "无证明城市" reform, service items that require them, and "一件事" bundles.
 *
 * Code conventions used here:
 * - Certificate codes: 'ZM-420325-NNNN'.
 * - Service item implementation codes (GB/T 39554 style, 31 characters):
 *   department unified social credit code (18, GB 32100 check character valid)
 *   + item kind (2: 01 许可, 05 给付, 07 确认, 10 其他行政权力, 20 公共服务)
 *   + main item (5) + sub item (3) + business item (3).
 * - Bundle codes: 'YJS-420325-NNN'.
 */
import type { CertificateMethod, RiskClass, ServiceItemKind, TrustGrade } from '../../shared/domain/catalog';

export interface DemoCertificate {
  code: string;
  name: string;
  issuer: string;
  legalBasis: string;
  method: CertificateMethod;
  methodNote: string;
  methodDetail: Record<string, unknown>;
  /** 适用情形: needed only when the circumstance (DEMO_CIRCUMSTANCES) has this answer; absent = always. */
  circumstance?: { code: string; appliesWhen: boolean };
  /** 证明对象; absent = 申请人本人. */
  subject?: string;
  /** 有效期 in months for reuse; absent = 长期. */
  validityMonths?: number;
  /** absent = B. */
  trustGrade?: TrustGrade;
}

export interface DemoServiceItem {
  code: string;
  name: string;
  department: string;
  kind: ServiceItemKind;
  timeLimitDays: number;
  certificates: string[];
  /** absent = 一般. */
  riskClass?: RiskClass;
  /** Certificates handling the item produces (由本件产生 for later items of a case). */
  produces?: string[];
}

/** The questions the clerk answers once per case, with the answer of the common case. */
export const DEMO_CIRCUMSTANCES = [
  { code: 'QX-BRSQ', question: '是否本人申请', defaultAnswer: true },
  { code: 'QX-YNFM', question: '是否院内分娩', defaultAnswer: true },
  { code: 'QX-XNHJ', question: '父母是否均为县内户籍', defaultAnswer: true },
] as const;

export interface DemoBundle {
  code: string;
  name: string;
  items: string[];
}

export const DEMO_CERTIFICATES: DemoCertificate[] = [
  // ---------------------------------------------------------------- retained
  {
    code: 'ZM-420325-0001',
    name: '出生医学证明',
    issuer: '助产机构（县妇幼保健院、县人民医院等）',
    legalBasis: '《中华人民共和国母婴保健法》第二十三条',
    method: 'retained',
    methodNote: '窗口查验原件防伪特征并拍照留存，原件当场退还申请人。',
    subject: '子女',
    trustGrade: 'B',
    methodDetail: {
      reason:
        '出生医学证明是新生儿申报出生登记和享受相关待遇的法定医学文件，须查验原件防伪特征并核对编号，县内尚未与出生医学证明管理系统实时对接。',
    },
  },
  {
    code: 'ZM-420325-0002',
    name: '医疗费用原始收费票据',
    issuer: '定点医疗机构',
    legalBasis:
      '《中华人民共和国社会保险法》第五十四条；《医疗保障基金使用监督管理条例》（国务院令第735号）',
    method: 'retained',
    methodNote: '窗口核对票据原件后收存原件，并在系统中登记票据号码防止重复报销。',
    validityMonths: 12,
    methodDetail: {
      reason:
        '零星报销须收存票据原件以防同一费用重复报销，县外及省外医疗机构的纸质票据无法联网查验。',
    },
  },
  {
    code: 'ZM-420325-0003',
    name: '授权委托书',
    issuer: '委托人（申请人本人）',
    legalBasis: '《中华人民共和国民法典》第一百六十五条',
    method: 'retained',
    methodNote: '他人代办时窗口收取由委托人亲笔签名的委托书原件，并拍照存档。',
    circumstance: { code: 'QX-BRSQ', appliesWhen: false },
    methodDetail: {
      reason:
        '委托代理须由被代理人本人签名并载明代理事项、权限和期限，签名不得代签，须留存原件备查。',
    },
  },
  {
    code: 'ZM-420325-0004',
    name: '亲子鉴定意见书（院外分娩）',
    issuer: '具有资质的司法鉴定机构',
    legalBasis: '《卫生部关于进一步加强出生医学证明管理的通知》（卫妇社发〔2009〕96号）',
    method: 'retained',
    methodNote: '仅院外分娩且无接生记录时需要，窗口查验原件并拍照留存后退还。',
    circumstance: { code: 'QX-YNFM', appliesWhen: false },
    methodDetail: {
      reason:
        '院外分娩无法由助产机构出具分娩记录，亲子关系须以司法鉴定机构出具的鉴定意见书原件为准，鉴定机构系统未接入共享平台。',
    },
  },

  // --------------------------------------------------------------- cancelled
  {
    code: 'ZM-420325-0005',
    name: '亲属关系证明',
    issuer: '村（居）民委员会',
    legalBasis: '《中华人民共和国民法典》第一千零四十五条',
    method: 'cancelled',
    methodNote: '已直接取消，窗口不得再要求提交，亲属关系以户口簿、出生医学证明、结婚证等现有证照认定。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '可通过现有证照证明',
    },
  },
  {
    code: 'ZM-420325-0006',
    name: '生存证明',
    issuer: '村（居）民委员会',
    legalBasis: '《中华人民共和国老年人权益保障法》第三十三条',
    method: 'cancelled',
    methodNote: '已直接取消，领取资格通过人脸识别认证和户籍、殡葬数据比对确认。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '可通过网络核验',
    },
  },
  {
    code: 'ZM-420325-0007',
    name: '计划生育情况证明',
    issuer: '乡镇人民政府（计划生育办公室）',
    legalBasis: '《中华人民共和国人口与计划生育法》（2021年修正）第十八条',
    method: 'cancelled',
    methodNote: '已直接取消，办理生育登记及生育待遇时不得再要求提交。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '无法律法规依据',
    },
  },
  {
    code: 'ZM-420325-0008',
    name: '无业证明',
    issuer: '社区居民委员会',
    legalBasis: '《国务院办公厅关于做好证明事项清理工作的通知》（国办发〔2018〕47号）',
    method: 'cancelled',
    methodNote: '已直接取消，就业状况在家庭经济状况核对中一并查明。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '无法律法规依据',
    },
  },
  {
    code: 'ZM-420325-0009',
    name: '新生儿未落户证明',
    issuer: '村（居）民委员会',
    legalBasis: '《中华人民共和国户口登记条例》第七条',
    method: 'cancelled',
    methodNote: '已直接取消，户籍民警通过人口信息系统查重确认新生儿未重复登记。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '可通过网络核验',
    },
  },
  {
    code: 'ZM-420325-0010',
    name: '经营场所无违章建筑证明',
    issuer: '乡镇人民政府（村镇建设服务中心）',
    legalBasis: '《中华人民共和国市场主体登记管理条例》第十一条',
    method: 'cancelled',
    methodNote: '已直接取消，场所合法性由申请人在住所（经营场所）申报承诺中一并承诺。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '可由书面承诺替代',
    },
  },
  {
    code: 'ZM-420325-0011',
    name: '未参加其他基本医疗保险证明',
    issuer: '原参保地医疗保障经办机构',
    legalBasis: '《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）',
    method: 'cancelled',
    methodNote: '已直接取消，重复参保情况由窗口在医疗保障信息平台在线查询。',
    methodDetail: {
      cancelledBy: '房政办函〔2021〕13号',
      reason: '可通过网络核验',
    },
  },

  // -------------------------------------------------------------- commitment
  {
    code: 'ZM-420325-0012',
    name: '无犯罪记录证明',
    issuer: '县公安局',
    legalBasis:
      '《中华人民共和国未成年人保护法》第六十二条；《托育机构设置标准（试行）》（国卫人口发〔2019〕58号）',
    method: 'commitment',
    methodNote: '申请人可自愿签署告知承诺书代替提交，不愿承诺的提交县公安局出具的证明。',
    subject: '从业人员',
    validityMonths: 6,
    methodDetail: {
      templateVersion: 'v1',
      noticeText:
        '申请人办理托育机构备案，其举办者、负责人及拟聘从业人员不得有性侵害、虐待、拐卖、暴力伤害等违法犯罪记录。依据《中华人民共和国未成年人保护法》第六十二条，申请人负有证明上述人员无犯罪记录的义务，证明内容为相关人员无上述违法犯罪记录。申请人可自愿选择以书面承诺代替提交无犯罪记录证明，承诺书须由申请人本人签字，不得代签；不愿承诺的，应当提交县公安局出具的无犯罪记录证明。县卫生健康局有权在5个工作日内通过公安机关查询系统进行网络核验，申请人应当配合提供相关人员身份信息。承诺不实的，将终止办理或撤销备案，记入申请人信用记录，并依法追究法律责任。',
      commitmentText:
        '本人已阅读并知悉本告知承诺书的全部内容，承诺本机构举办者、负责人及拟聘从业人员均无性侵害、虐待、拐卖、暴力伤害等违法犯罪记录，符合托育机构备案条件，所填报信息真实、准确、完整；本人同意行政机关依法核查，如有虚假承诺，愿意承担相应法律责任。',
      verification: { method: '网络核验', timeLimitDays: 5, samplingRatio: 1 },
    },
  },
  {
    code: 'ZM-420325-0013',
    name: '经营场所使用证明',
    issuer: '产权人或村（居）民委员会',
    legalBasis: '《中华人民共和国市场主体登记管理条例》第十一条',
    method: 'commitment',
    methodNote: '实行住所（经营场所）申报承诺，申请人签署承诺书后无需提交产权证明或租赁合同。',
    methodDetail: {
      templateVersion: 'v1',
      noticeText:
        '申请人办理市场主体登记或相关经营许可，应当具有真实、合法、可实际使用的住所（经营场所）。依据《中华人民共和国市场主体登记管理条例》第十一条，申请人负有证明经营场所合法使用的义务，证明内容为场所地址、产权或使用权来源及规划用途。申请人可自愿选择签署住所（经营场所）申报承诺书代替提交产权证明或租赁合同；不愿承诺的，应当提交相关证明材料。登记机关有权在20个工作日内按比例开展实地调查，申请人应当配合。承诺不实的，将依法撤销登记或许可，列入经营异常名录，并记入信用记录。',
      commitmentText:
        '本人已阅读并知悉本告知承诺书的全部内容，承诺所申报的住所（经营场所）真实存在、权属清晰、依法可作经营使用，不属于违法建筑，符合办理条件，所填报信息真实、准确、完整；本人同意行政机关依法实地核查，如有虚假承诺，愿意承担相应法律责任。',
      verification: { method: '实地调查', timeLimitDays: 20, samplingRatio: 0.2 },
    },
  },
  {
    code: 'ZM-420325-0014',
    name: '居住证明',
    issuer: '村（居）民委员会',
    legalBasis:
      '《居住证暂行条例》（国务院令第663号）第二条；《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条',
    method: 'commitment',
    methodNote: '申请人可自愿以书面承诺说明实际居住地址，不愿承诺的提交居住证或居住证明。',
    methodDetail: {
      templateVersion: 'v1',
      noticeText:
        '申请人办理本事项，应当在本县实际居住。依据《居住证暂行条例》及本事项办理规定，申请人负有证明在本县居住的义务，证明内容为现居住地址及居住起始时间。申请人可自愿选择以书面承诺代替由村（居）民委员会出具居住证明，承诺书须由本人签字；不愿承诺的，应当提交居住证或居住证明。行政机关有权在15个工作日内通过比对居住证、房屋租赁备案、水电缴费等资料进行书面核查，申请人应当配合。承诺不实的，将终止办理或撤销相关决定，记入信用记录，并依法追究法律责任。',
      commitmentText:
        '本人已阅读并知悉本告知承诺书的全部内容，承诺本人（及被监护人）在所申报地址实际居住，符合办理条件，所填报信息真实、准确、完整；本人同意行政机关依法核查，如有虚假承诺，愿意承担相应法律责任。',
      verification: { method: '书面核查', timeLimitDays: 15, samplingRatio: 0.2 },
    },
  },
  {
    code: 'ZM-420325-0015',
    name: '收入证明',
    issuer: '工作单位或村（居）民委员会',
    legalBasis: '《社会救助暂行办法》（国务院令第649号）第十一条',
    method: 'commitment',
    methodNote: '申请人如实申报家庭收入并签署承诺书，无需单位或村（居）委会另行开具收入证明。',
    methodDetail: {
      templateVersion: 'v1',
      noticeText:
        '申请人申请最低生活保障或公共租赁住房保障，其家庭人均收入应当低于本县公布的标准。依据《社会救助暂行办法》第十一条，申请人负有如实申报家庭收入的证明义务，证明内容为共同生活家庭成员近12个月的工资性、经营性、财产性和转移性收入。申请人可自愿选择以书面承诺代替提交收入证明，承诺书须由申请人本人签字；不愿承诺的，应当提交单位或村（居）民委员会出具的收入证明。行政机关有权通过不少于7日的公示及家庭经济状况核对进行核查，申请人应当配合入户调查。承诺不实的，将终止办理或停发、追回已领取的待遇，记入信用记录，并依法追究法律责任。',
      commitmentText:
        '本人已阅读并知悉本告知承诺书的全部内容，承诺所申报的共同生活家庭成员收入情况完整、真实，家庭人均收入符合申请条件；本人同意行政机关公示并核对家庭经济状况，如有虚假承诺，愿意承担相应法律责任。',
      verification: { method: '公示核查', timeLimitDays: 7, samplingRatio: 1 },
    },
  },
  {
    code: 'ZM-420325-0016',
    name: '婚育情况证明',
    issuer: '村（居）民委员会',
    legalBasis: '《中华人民共和国人口与计划生育法》（2021年修正）；《湖北省人口与计划生育条例》',
    method: 'commitment',
    methodNote: '办理生育登记时由夫妻一方本人签署婚育情况承诺，无需另行开具证明。',
    methodDetail: {
      templateVersion: 'v1',
      noticeText:
        '申请人办理生育登记，应当为依法登记结婚的夫妻，并符合国家和本省规定的生育政策。依据《湖北省人口与计划生育条例》，申请人负有说明夫妻双方婚育情况的证明义务，证明内容为夫妻双方婚姻状况及现有子女数量。申请人可自愿选择以书面承诺代替提交婚育情况证明，承诺书须由夫妻一方本人签字；不愿承诺的，应当提交相关证明。本事项风险较低，按规定免于事后核查，但行政机关保留依法核查的权利，申请人应当配合。承诺不实的，将撤销登记，记入信用记录，并依法追究法律责任。',
      commitmentText:
        '本人已阅读并知悉本告知承诺书的全部内容，承诺所申报的夫妻双方婚姻状况及现有子女数量真实、准确、完整，符合生育登记条件；本人同意行政机关依法核查，如有虚假承诺，愿意承担相应法律责任。',
      verification: { method: '免于核查', timeLimitDays: 0, samplingRatio: 0 },
    },
  },
  {
    code: 'ZM-420325-0017',
    name: '消防设施检测合格证明',
    issuer: '消防技术服务机构',
    legalBasis: '《中华人民共和国消防法》第十五条',
    method: 'commitment',
    methodNote: '申请人选择告知承诺方式的，签署承诺书后当场办理，由消防救援大队事后实地核查。',
    methodDetail: {
      templateVersion: 'v1',
      noticeText:
        '公众聚集场所投入使用、营业前，应当符合消防技术标准和管理规定。依据《中华人民共和国消防法》第十五条，申请人负有证明场所消防安全条件的义务，证明内容为建筑消防设施经检测合格、消防安全制度和灭火应急疏散预案已制定、员工已经过消防安全培训。申请人可自愿选择告知承诺方式，由申请人本人签署承诺书；不愿承诺的，应当提交消防设施检测报告等材料，并在10个工作日内接受现场检查。县消防救援大队有权在20个工作日内对场所进行实地核查，申请人应当配合。承诺不实的，将依法撤销许可、责令停止使用或停业，给予行政处罚，并记入信用记录。',
      commitmentText:
        '本人已阅读并知悉本告知承诺书的全部内容，承诺本场所建筑消防设施经检测合格，消防安全制度和应急预案已落实，符合消防技术标准和管理规定，所填报信息真实、准确、完整；本人同意消防救援机构依法实地核查，如有虚假承诺，愿意承担相应法律责任。',
      verification: { method: '实地调查', timeLimitDays: 20, samplingRatio: 1 },
    },
  },

  // ------------------------------------------------------------ data_sharing
  {
    code: 'ZM-420325-0018',
    name: '婚姻状况证明',
    issuer: '县民政局（婚姻登记处）',
    legalBasis: '《婚姻登记条例》（国务院令第387号）',
    method: 'data_sharing',
    methodNote: '窗口通过共享平台按身份证号码查询婚姻登记信息，申请人无需提交。',
    methodDetail: {
      source: '湖北省政务数据共享交换平台',
      dataset: '婚姻登记信息',
      query: '按身份证号码查询婚姻状态',
    },
  },
  {
    code: 'ZM-420325-0019',
    name: '户籍证明',
    issuer: '县公安局',
    legalBasis: '《中华人民共和国户口登记条例》第三条',
    method: 'data_sharing',
    methodNote: '窗口通过共享平台调取户籍登记信息，无需提交户口簿复印件或户籍证明。',
    methodDetail: {
      source: '湖北省政务数据共享交换平台',
      dataset: '人口基础信息（户籍）',
      query: '按身份证号码查询户籍登记信息及与户主关系',
    },
  },
  {
    code: 'ZM-420325-0020',
    name: '无房证明',
    issuer: '县自然资源和规划局（不动产登记中心）',
    legalBasis:
      '《不动产登记暂行条例》（国务院令第656号）第二十七条；《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条',
    method: 'data_sharing',
    methodNote: '窗口按申请人及共同申请人身份证号码查询不动产登记信息，无需开具无房证明。',
    methodDetail: {
      source: '湖北省政务数据共享交换平台',
      dataset: '不动产登记信息',
      query: '按身份证号码查询名下不动产权属登记情况',
    },
  },
  {
    code: 'ZM-420325-0021',
    name: '社会保险缴费证明',
    issuer: '县人力资源和社会保障局（社会保险经办机构）',
    legalBasis: '《中华人民共和国社会保险法》第七十四条',
    method: 'data_sharing',
    methodNote: '窗口在线查询参保缴费记录，无需申请人打印缴费证明。',
    methodDetail: {
      source: '湖北省政务数据共享交换平台',
      dataset: '社会保险参保缴费信息',
      query: '按身份证号码查询养老、失业、工伤保险参保及缴费记录',
    },
  },
  {
    code: 'ZM-420325-0022',
    name: '营业执照',
    issuer: '县市场监督管理局',
    legalBasis: '《中华人民共和国市场主体登记管理条例》第二十二条',
    method: 'data_sharing',
    methodNote: '窗口调取电子营业执照，无需提交营业执照复印件。',
    subject: '申请人本人',
    trustGrade: 'A',
    methodDetail: {
      source: '全国一体化政务服务平台电子证照系统',
      dataset: '电子营业执照',
      query: '按统一社会信用代码查询营业执照照面信息',
    },
  },
  {
    code: 'ZM-420325-0023',
    name: '残疾证明',
    issuer: '县残疾人联合会',
    legalBasis: '《中华人民共和国残疾人保障法》第四十八条',
    method: 'data_sharing',
    methodNote: '窗口在线查询残疾类别和等级，无需提交残疾人证复印件。',
    methodDetail: {
      source: '湖北省政务数据共享交换平台',
      dataset: '全国残疾人人口基础信息',
      query: '按身份证号码查询残疾类别、等级及证件有效期',
    },
  },
  {
    code: 'ZM-420325-0024',
    name: '学历证明',
    issuer: '毕业院校',
    legalBasis:
      '《中华人民共和国高等教育法》第二十条；《托育机构设置标准（试行）》（国卫人口发〔2019〕58号）',
    method: 'data_sharing',
    methodNote: '窗口在线查询学历证书信息，无需提交毕业证书复印件或学历认证报告。',
    methodDetail: {
      source: '全国一体化政务服务平台',
      dataset: '全国高等教育学历信息',
      query: '按姓名和身份证号码查询学历证书编号、层次及专业',
    },
  },
  {
    code: 'ZM-420325-0025',
    name: '健康证明',
    issuer: '县疾病预防控制中心等健康体检机构',
    legalBasis:
      '《中华人民共和国食品安全法》第四十五条；《托儿所幼儿园卫生保健管理办法》（卫生部 教育部令第76号）',
    method: 'data_sharing',
    methodNote: '窗口按从业人员身份证号码查询健康证明有效期，无需提交健康证原件或复印件。',
    // Asked about the applicant (the operator of a 个体工商户 is the 从业人员); a 托育机构's staff
    // would each be a subject of their own, which one case subject cannot hold.
    validityMonths: 12,
    methodDetail: {
      source: '湖北省政务数据共享交换平台',
      dataset: '从业人员预防性健康检查信息',
      query: '按身份证号码查询健康证明编号、有效期及检查结论',
    },
  },
  {
    code: 'ZM-420325-0026',
    name: '医疗保险参保证明',
    issuer: '县医疗保障局',
    legalBasis: '《中华人民共和国社会保险法》第二十五条',
    method: 'data_sharing',
    methodNote: '窗口在医疗保障信息平台查询参保状态及缴费年度，申请人无需提交。',
    methodDetail: {
      source: '湖北省医疗保障信息平台',
      dataset: '基本医疗保险参保登记信息',
      query: '按身份证号码查询参保状态、险种及缴费年度',
    },
  },
  {
    code: 'ZM-420325-0027',
    name: '预防接种记录证明',
    issuer: '预防接种单位（乡镇卫生院、社区卫生服务中心）',
    legalBasis: '《中华人民共和国疫苗管理法》第四十七条',
    method: 'data_sharing',
    methodNote: '窗口在免疫规划信息系统查询儿童接种记录，无需提交预防接种证复印件。',
    subject: '子女',
    methodDetail: {
      source: '湖北省免疫规划信息管理系统',
      dataset: '儿童预防接种信息',
      query: '按儿童姓名和身份证号码查询接种记录',
    },
  },

  // ------------------------------------------------------- dept_verification
  {
    code: 'ZM-420325-0028',
    name: '父（母）户籍地户籍证明（县外户籍）',
    issuer: '户籍地公安机关',
    legalBasis: '《中华人民共和国户口登记条例》第七条',
    method: 'dept_verification',
    methodNote: '父母一方为县外户籍的，由县公安局户政部门向户籍地公安机关发起协查，申请人无需回原籍开具。',
    circumstance: { code: 'QX-XNHJ', appliesWhen: false },
    methodDetail: {
      verifyingDepartment: '县公安局（户政管理大队）',
      timeLimitDays: 3,
      mode: '部门协查',
    },
  },
  {
    code: 'ZM-420325-0029',
    name: '分娩住院记录（出院小结）',
    issuer: '助产机构',
    legalBasis: '《医疗机构病历管理规定》（国卫医发〔2013〕31号）',
    method: 'dept_verification',
    methodNote: '由帮办代办员到助产机构病案室调取分娩住院记录，申请人无需自行复印。',
    circumstance: { code: 'QX-YNFM', appliesWhen: true },
    methodDetail: {
      verifyingDepartment: '县妇幼保健院',
      timeLimitDays: 2,
      mode: '帮办代办',
    },
  },
  {
    code: 'ZM-420325-0030',
    name: '家庭经济状况核对报告',
    issuer: '县民政局（居民家庭经济状况核对中心）',
    legalBasis:
      '《社会救助暂行办法》（国务院令第649号）第十一条；《最低生活保障审核确认办法》（民发〔2021〕57号）',
    method: 'dept_verification',
    methodNote: '由受理窗口提交核对申请，核对中心联合公安、住建、人社、市场监管等部门协查后出具报告。',
    methodDetail: {
      verifyingDepartment: '县民政局（居民家庭经济状况核对中心）',
      timeLimitDays: 10,
      mode: '部门协查',
    },
  },
  {
    code: 'ZM-420325-0031',
    name: '建设工程消防验收意见',
    issuer: '县住房和城乡建设局',
    legalBasis:
      '《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》（住房和城乡建设部令第51号）',
    method: 'dept_verification',
    methodNote: '由县消防救援大队向县住房和城乡建设局协查场所所在建筑的消防验收或备案情况。',
    methodDetail: {
      verifyingDepartment: '县住房和城乡建设局',
      timeLimitDays: 5,
      mode: '部门协查',
    },
  },
  {
    code: 'ZM-420325-0032',
    name: '托育机构卫生评价报告',
    issuer: '县妇幼保健院',
    legalBasis: '《托儿所幼儿园卫生保健管理办法》（卫生部 教育部令第76号）',
    method: 'dept_verification',
    methodNote: '由帮办代办员联系县妇幼保健院上门开展卫生评价并代取报告。',
    methodDetail: {
      verifyingDepartment: '县妇幼保健院',
      timeLimitDays: 10,
      mode: '帮办代办',
    },
  },
  {
    code: 'ZM-420325-0033',
    name: '消防安全检查合格意见',
    issuer: '县消防救援大队',
    legalBasis:
      '《中华人民共和国消防法》第十五条；《托育机构设置标准（试行）》（国卫人口发〔2019〕58号）',
    method: 'dept_verification',
    methodNote: '由县卫生健康局向县消防救援大队协查场所消防安全检查结论，申请人无需提交。',
    methodDetail: {
      verifyingDepartment: '县消防救援大队',
      timeLimitDays: 5,
      mode: '部门协查',
    },
  },
];

export const DEMO_SERVICE_ITEMS: DemoServiceItem[] = [
  // ------------------------------------------------ newborn bundle (9 items)
  {
    code: '11420325MB1A27343B2000417001000',
    name: '出生登记（生育登记服务）',
    department: '县卫生健康局',
    kind: '公共服务',
    timeLimitDays: 0,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0018', // 婚姻状况证明
      'ZM-420325-0016', // 婚育情况证明
      'ZM-420325-0007', // 计划生育情况证明
    ],
  },
  {
    code: '11420325MB1A27343B2000422001000',
    name: '出生医学证明办理',
    department: '县卫生健康局',
    kind: '公共服务',
    timeLimitDays: 1,
    produces: ['ZM-420325-0001'], // 出生医学证明: the later items of the bundle take it from here
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0029', // 分娩住院记录
      'ZM-420325-0004', // 亲子鉴定意见书
      'ZM-420325-0005', // 亲属关系证明
    ],
  },
  {
    code: '11420325MB1A27343B2000438001000',
    name: '预防接种证办理',
    department: '县卫生健康局',
    kind: '公共服务',
    timeLimitDays: 0,
    certificates: [
      'ZM-420325-0001', // 出生医学证明
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0014', // 居住证明
    ],
  },
  {
    code: '11420325MB0Y8512150700105002000',
    name: '户口登记（出生申报户口）',
    department: '县公安局',
    kind: '行政确认',
    timeLimitDays: 1,
    certificates: [
      'ZM-420325-0001', // 出生医学证明
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0018', // 婚姻状况证明
      'ZM-420325-0028', // 父（母）户籍地户籍证明
      'ZM-420325-0009', // 新生儿未落户证明
      'ZM-420325-0005', // 亲属关系证明
    ],
  },
  {
    code: '11420325MB1E3906532000103001000',
    name: '城乡居民医疗保险参保登记',
    department: '县医疗保障局',
    kind: '公共服务',
    timeLimitDays: 0,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0014', // 居住证明
      'ZM-420325-0011', // 未参加其他基本医疗保险证明
    ],
  },
  {
    code: '11420325MB0K6158192000215001000',
    name: '社会保障卡申领',
    department: '县人力资源和社会保障局',
    kind: '公共服务',
    timeLimitDays: 5,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0003', // 授权委托书
      'ZM-420325-0005', // 亲属关系证明
    ],
  },
  {
    code: '11420325MB1E3906532000104002000',
    name: '城乡居民医疗保险缴费',
    department: '县医疗保障局',
    kind: '公共服务',
    timeLimitDays: 0,
    certificates: [
      'ZM-420325-0026', // 医疗保险参保证明
      'ZM-420325-0023', // 残疾证明
    ],
  },
  {
    code: '11420325MB1E3906530500021003000',
    name: '生育医疗费用报销',
    department: '县医疗保障局',
    kind: '行政给付',
    timeLimitDays: 20,
    certificates: [
      'ZM-420325-0026', // 医疗保险参保证明
      'ZM-420325-0001', // 出生医学证明
      'ZM-420325-0002', // 医疗费用原始收费票据
      'ZM-420325-0029', // 分娩住院记录
      'ZM-420325-0007', // 计划生育情况证明
    ],
  },
  {
    code: '11420325MB1A27343B2000451001000',
    name: '儿童保健（托育指导）服务',
    department: '县卫生健康局',
    kind: '公共服务',
    timeLimitDays: 0,
    certificates: [
      'ZM-420325-0001', // 出生医学证明
      'ZM-420325-0027', // 预防接种记录证明
      'ZM-420325-0014', // 居住证明
    ],
  },

  // ---------------------------------------- restaurant bundle (3 items)
  {
    code: '11420325MB1C50836R0100033001000',
    name: '个体工商户设立登记',
    department: '县市场监督管理局',
    kind: '行政许可',
    timeLimitDays: 1,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0013', // 经营场所使用证明
      'ZM-420325-0010', // 经营场所无违章建筑证明
      'ZM-420325-0003', // 授权委托书
    ],
  },
  {
    code: '11420325MB1C50836R0100041001000',
    name: '食品经营许可',
    department: '县市场监督管理局',
    kind: '行政许可',
    timeLimitDays: 10,
    certificates: [
      'ZM-420325-0022', // 营业执照
      'ZM-420325-0013', // 经营场所使用证明
      'ZM-420325-0025', // 健康证明
      'ZM-420325-0003', // 授权委托书
    ],
  },
  {
    code: '11420325MB1F73950U0100006001000',
    name: '公众聚集场所投入使用、营业前消防安全检查',
    department: '县消防救援大队',
    kind: '行政许可',
    timeLimitDays: 10,
    certificates: [
      'ZM-420325-0022', // 营业执照
      'ZM-420325-0013', // 经营场所使用证明
      'ZM-420325-0017', // 消防设施检测合格证明
      'ZM-420325-0031', // 建设工程消防验收意见
    ],
  },

  // ------------------------------------------------------------- standalone
  {
    code: '11420325MB0J29476A0500012001000',
    name: '最低生活保障审核确认',
    department: '县民政局',
    kind: '行政给付',
    timeLimitDays: 20,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0018', // 婚姻状况证明
      'ZM-420325-0015', // 收入证明
      'ZM-420325-0030', // 家庭经济状况核对报告
      'ZM-420325-0023', // 残疾证明
      'ZM-420325-0008', // 无业证明
    ],
  },
  {
    code: '11420325MB0J29476A0500017001000',
    name: '高龄津贴申领',
    department: '县民政局',
    kind: '行政给付',
    timeLimitDays: 10,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0006', // 生存证明
      'ZM-420325-0005', // 亲属关系证明
      'ZM-420325-0003', // 授权委托书
    ],
  },
  {
    code: '11420325MB0P4621230700009001000',
    name: '公共租赁住房保障资格审核',
    department: '县住房和城乡建设局',
    kind: '行政确认',
    timeLimitDays: 15,
    certificates: [
      'ZM-420325-0019', // 户籍证明
      'ZM-420325-0018', // 婚姻状况证明
      'ZM-420325-0020', // 无房证明
      'ZM-420325-0015', // 收入证明
      'ZM-420325-0014', // 居住证明
      'ZM-420325-0021', // 社会保险缴费证明
    ],
  },
  {
    code: '11420325MB1A27343B1000062001000',
    name: '托育机构备案',
    department: '县卫生健康局',
    kind: '其他行政权力',
    timeLimitDays: 5,
    certificates: [
      'ZM-420325-0022', // 营业执照
      'ZM-420325-0012', // 无犯罪记录证明
      'ZM-420325-0024', // 学历证明
      'ZM-420325-0025', // 健康证明
      'ZM-420325-0032', // 托育机构卫生评价报告
      'ZM-420325-0033', // 消防安全检查合格意见
    ],
  },
];

export const DEMO_BUNDLES: DemoBundle[] = [
  {
    code: 'YJS-420325-001',
    name: '出生“一件事”',
    items: [
      '11420325MB1A27343B2000417001000', // 出生登记（生育登记服务）
      '11420325MB1A27343B2000422001000', // 出生医学证明办理
      '11420325MB1A27343B2000438001000', // 预防接种证办理
      '11420325MB0Y8512150700105002000', // 户口登记（出生申报户口）
      '11420325MB1E3906532000103001000', // 城乡居民医疗保险参保登记
      '11420325MB0K6158192000215001000', // 社会保障卡申领
      '11420325MB1E3906532000104002000', // 城乡居民医疗保险缴费
      '11420325MB1E3906530500021003000', // 生育医疗费用报销
      '11420325MB1A27343B2000451001000', // 儿童保健（托育指导）服务
    ],
  },
  {
    code: 'YJS-420325-002',
    name: '开办餐饮店“一件事”',
    items: [
      '11420325MB1C50836R0100033001000', // 个体工商户设立登记
      '11420325MB1C50836R0100041001000', // 食品经营许可
      '11420325MB1F73950U0100006001000', // 公众聚集场所投入使用、营业前消防安全检查
    ],
  },
];
