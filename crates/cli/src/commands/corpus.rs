//! A generator of realistic government information items (titles, document numbers, ~1.5 KB
//! bodies of typical Chinese administrative prose) for the demo district and the benchmarks.
//! Deterministic: the same seed gives the same corpus.

use serde_json::json;

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Next value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// One element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// (unit code, document-number prefix, topics the unit writes about).
const UNITS: &[(&str, &str, &[&str])] = &[
    (
        "GOV",
        "区政发",
        &["营商环境", "乡村振兴", "安全生产", "城市更新", "民生实事"],
    ),
    (
        "BGS",
        "区政办发",
        &["政务公开", "政务服务", "督查督办", "应急值守", "数字政府"],
    ),
    (
        "FGJ",
        "区发改发",
        &["重大项目", "价格监测", "节能降耗", "粮食储备", "招商引资"],
    ),
    (
        "JYJ",
        "区教发",
        &["义务教育", "招生入学", "校园安全", "学前教育", "教师队伍"],
    ),
    (
        "MZJ",
        "区民发",
        &["社会救助", "养老服务", "殡葬管理", "社区治理", "儿童福利"],
    ),
    (
        "SFJ",
        "区司发",
        &[
            "法律援助",
            "人民调解",
            "普法宣传",
            "社区矫正",
            "公共法律服务",
        ],
    ),
    (
        "CZJ",
        "区财发",
        &["部门预算", "政府采购", "国有资产", "财政绩效", "惠民补贴"],
    ),
    (
        "RSJ",
        "区人社发",
        &["就业创业", "社会保险", "职称评审", "劳动监察", "技能培训"],
    ),
    (
        "ZRJ",
        "区自然资发",
        &[
            "国土空间规划",
            "耕地保护",
            "不动产登记",
            "地质灾害防治",
            "土地征收",
        ],
    ),
    (
        "ZJJ",
        "区建发",
        &[
            "老旧小区改造",
            "保障性住房",
            "建筑市场",
            "物业管理",
            "燃气安全",
        ],
    ),
    (
        "WJW",
        "区卫健发",
        &["疾病预防", "基层医疗", "妇幼健康", "医疗服务", "爱国卫生"],
    ),
    (
        "SJJ",
        "区市监发",
        &["食品安全", "药品监管", "特种设备", "价格监督", "消费维权"],
    ),
    (
        "ZWJ",
        "区政服发",
        &["一网通办", "帮办代办", "好差评", "窗口服务", "证照办理"],
    ),
    (
        "QSZ",
        "青政发",
        &[
            "农村人居环境",
            "防汛防台",
            "集体经济",
            "农田水利",
            "村务公开",
        ],
    ),
    (
        "BYZ",
        "白政发",
        &["特色农业", "森林防火", "美丽乡村", "集体资产", "文化礼堂"],
    ),
    (
        "SQZ",
        "石政发",
        &["工业园区", "河道整治", "农村公路", "垃圾分类", "养老服务"],
    ),
    (
        "DCJD",
        "东街发",
        &[
            "社区治理",
            "老旧小区改造",
            "网格管理",
            "文明创建",
            "为民服务",
        ],
    ),
    (
        "XCJD",
        "西街发",
        &[
            "背街小巷整治",
            "便民服务",
            "平安建设",
            "社区养老",
            "停车管理",
        ],
    ),
];

/// (category code, title patterns; `{t}` topic, `{y}` year, `{u}` unit name-free phrase).
const KINDS: &[(&str, &[&str])] = &[
    (
        "QTWJ",
        &[
            "关于做好{y}年{t}工作的通知",
            "关于进一步加强{t}工作的通知",
            "关于开展{t}专项检查的通知",
            "关于印发《{y}年{t}工作要点》的通知",
        ],
    ),
    (
        "GFXWJ",
        &[
            "关于印发《{t}管理办法》的通知",
            "关于印发《{t}实施细则（试行）》的通知",
            "关于调整{t}有关政策的通知",
        ],
    ),
    (
        "ZCJD",
        &[
            "《{t}管理办法》政策解读",
            "一图读懂{y}年{t}新政",
            "关于{t}有关政策的解读",
        ],
    ),
    (
        "GHXX",
        &[
            "{t}发展规划（{y}—2030年）",
            "{y}年{t}专项规划",
            "关于{t}布局规划的公示",
        ],
    ),
    (
        "CZXX",
        &[
            "{y}年{t}预算公开",
            "{y}年{t}决算公开",
            "{y}年“三公”经费预算情况说明",
        ],
    ),
    (
        "SHGY",
        &[
            "{y}年度{t}资金发放名单公示",
            "关于{y}年{t}项目实施情况的公示",
            "{y}年{t}补助对象公示",
        ],
    ),
    (
        "XZXK",
        &[
            "{y}年第{n}批{t}行政许可决定公示",
            "关于{t}许可事项办理情况的公告",
        ],
    ),
    (
        "XZCF",
        &["{t}行政处罚决定书（第{n}号）", "{y}年{t}行政处罚信息公示"],
    ),
    (
        "TFSJ",
        &["关于做好{t}应急处置工作的紧急通知", "{t}突发事件应急预案"],
    ),
    (
        "RSXX",
        &["{y}年公开招聘{t}工作人员公告", "关于{t}岗位人员任前公示"],
    ),
];

const OPENINGS: &[&str] = &[
    "为深入贯彻落实党中央、国务院和省委省政府关于{t}的决策部署，进一步提升{t}工作水平，结合我区实际，现就有关事项通知如下。",
    "根据《中华人民共和国政府信息公开条例》和上级有关文件精神，为切实做好{y}年{t}工作，经区政府同意，现将有关事项通知如下。",
    "为规范{t}管理，保障人民群众合法权益，推动{t}工作高质量发展，制定本文件。",
];
const SECTIONS: &[&str] = &[
    "一、总体要求",
    "二、主要任务",
    "三、工作措施",
    "四、保障措施",
    "五、时间安排",
    "六、工作要求",
];
const SENTENCES: &[&str] = &[
    "坚持以人民为中心的发展思想，把{t}作为保障和改善民生的重要抓手，着力解决群众急难愁盼问题。",
    "各镇（街道）、区直各部门要高度重视，成立工作专班，明确责任分工，确保各项任务落到实处。",
    "要建立健全{t}工作台账，实行清单化管理、项目化推进，定期通报工作进展情况。",
    "加强部门协同和信息共享，依托一体化政务服务平台，推动{t}事项“一网通办”“最多跑一次”。",
    "严格落实公开透明要求，除涉及国家秘密、商业秘密和个人隐私外，相关信息应当依法主动公开，接受社会监督。",
    "强化资金保障，区财政按照规定统筹安排专项资金，加强资金使用绩效管理，提高资金使用效益。",
    "对工作推进不力、造成不良影响的单位和个人，依规依纪严肃追究责任。",
    "各单位于每季度末将工作进展情况报送区政府办公室，全年工作总结于12月20日前报送。",
    "加大宣传引导力度，通过政府网站、政务新媒体、公开栏等多种渠道，及时发布政策解读，回应社会关切。",
    "聚焦重点领域和关键环节，开展常态化监督检查，发现问题及时督促整改，形成工作闭环。",
    "鼓励社会力量参与{t}，探索建立政府引导、市场运作、社会参与的多元投入机制。",
    "到{y}年底，{t}覆盖率达到95%以上，群众满意度明显提升，形成一批可复制可推广的经验做法。",
    "本通知自印发之日起施行，有效期五年。此前规定与本通知不一致的，以本通知为准。",
    "严格执行行政审批时限要求，承诺时限在法定时限基础上压缩50%以上，实现办事环节精简、材料精简。",
];

/// One generated item as a JSON Lines row of `gongkai import items`.
pub fn item(rng: &mut Rng, serial: usize, year: i32) -> serde_json::Value {
    let (unit, prefix, topics) = *rng.pick(UNITS);
    let (category, titles) = *rng.pick(KINDS);
    let topic = *rng.pick(topics);
    let n = 1 + rng.below(60);
    let fill = |s: &str| {
        s.replace("{t}", topic)
            .replace("{y}", &year.to_string())
            .replace("{n}", &n.to_string())
    };
    let pattern: &str = rng.pick::<&str>(titles);
    let title = fill(pattern);
    let month = 1 + rng.below(9) as u32;
    let day = 1 + rng.below(28) as u32;
    let formed = format!("{year}-{month:02}-{day:02}");
    let delay = rng.below(30) as i64;
    let formed_date = chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default();
    let published_date = formed_date + chrono::Duration::days(delay);
    let published = format!(
        "{} {:02}:{:02}",
        published_date,
        8 + rng.below(10),
        rng.below(60)
    );
    let opening: &str = rng.pick::<&str>(OPENINGS);
    let mut body = fill(opening);
    body.push('\n');
    while body.len() < 1400 {
        let section = SECTIONS[(body.len() / 300).min(SECTIONS.len() - 1)];
        if !body.contains(section) {
            body.push_str(section);
            body.push('\n');
        }
        let sentence: &str = rng.pick::<&str>(SENTENCES);
        body.push_str(&fill(sentence));
        body.push('\n');
    }
    let doc_no = if category == "ZCJD" || category == "SHGY" {
        String::new()
    } else {
        format!("{prefix}〔{year}〕{}号", 1 + (serial % 180))
    };
    json!({
        "unit": unit, "category": category, "title": title, "doc_no": doc_no, "formed_on": formed,
        "published_at": published, "topic": topic, "summary": format!("{topic}相关工作安排"), "body": body,
    })
}

/// `count` items spread over the years 2020-2025 (and 2026 up to October).
pub fn items(count: usize, seed: u64) -> impl Iterator<Item = serde_json::Value> {
    let mut rng = Rng::new(seed);
    (0..count).map(move |i| {
        let year = 2020 + (i % 7) as i32;
        let mut row = item(&mut rng, i, year);
        // generated titles repeat: the id keeps every row its own on import
        row["source_id"] = json!(format!("corpus-{seed}-{i}"));
        row
    })
}
