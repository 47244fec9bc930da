from models import text_rules as rules


def test_trademark_field_found_in_name():
    assert rules.trademark_spans("海尔电冰箱", "海尔") == [(0, 2, "海尔")]
    assert rules.trademark_spans("Haier电冰箱", "haier") == [(0, 5, "Haier")]
    assert rules.trademark_spans("家用电冰箱", "雄楚") == []
    assert rules.trademark_spans("家用电冰箱", None) == []


def test_vague_words_but_not_inside_words():
    assert rules.vague_spans("一种椅子等家具") == [(0, 2, "一种"), (4, 5, "等")]
    assert rules.vague_spans("电冰箱系列") == [(3, 5, "系列")]
    assert rules.vague_spans("等离子电视") == []
    assert rules.vague_spans("中等粒度砂纸") == []
    assert rules.vague_spans("等渗饮料") == []
    assert rules.vague_spans("椅子、桌子等") == [(5, 6, "等")]


def test_specifications_but_not_abbreviations():
    assert rules.spec_spans("9英寸手机屏幕") == [(0, 3, "9英寸")]
    assert [t for *_, t in rules.spec_spans("空调KFR-35GW")] == ["KFR-35GW"]
    assert rules.spec_spans("5G基站天线") == []
    assert rules.spec_spans("LED屏") == []
    assert rules.spec_spans("3D打印机") == []


def test_foreign_or_code_only_without_chinese():
    assert rules.is_foreign_or_code("table")
    assert rules.is_foreign_or_code("PS")
    assert not rules.is_foreign_or_code("LED屏")
    assert not rules.is_foreign_or_code("USB充电器")
    assert not rules.is_foreign_or_code("12345")


def test_method_tail_and_sets():
    assert rules.is_method("数据处理方法")
    assert rules.is_method("一种可旋转拍摄的手机的制造方法")
    assert rules.is_method("注塑成型工艺")
    assert not rules.is_method("景泰蓝工艺品")
    assert rules.is_set("乳液、精华套装")
    assert not rules.is_set("乳液、精华")


def test_patent_classification_in_model_field():
    assert rules.is_classification("H01M 10/0525")
    assert rules.is_classification("A61K")
    assert not rules.is_classification("BCD-520W")


def test_promotional_adjectives_but_not_inside_terms():
    assert rules.adjective_spans("新型高端电饭煲") == [(0, 2, "新型"), (2, 4, "高端")]
    assert rules.adjective_spans("实用新型专利产品") == []
    assert rules.adjective_spans("超级电容器") == []
    assert rules.adjective_spans("家用电冰箱") == []


def test_patent_phrasing():
    assert rules.is_patent_phrasing("一种乳化装置")
    assert rules.is_patent_phrasing("尼龙面料的制备方法")
    assert rules.is_patent_phrasing("CXCR4抑制剂及其应用")
    assert rules.is_patent_phrasing("用于食品加工的粉碎装置")
    assert not rules.is_patent_phrasing("冷却装置和机器")
    assert not rules.is_patent_phrasing("家用电冰箱")
