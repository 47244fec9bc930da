"""CONTRACT.md's example submission, as the review pipeline sends it (without files)."""

CONTRACT_EXAMPLE = {
    "submission_id": "2026-P-000123",
    "stage": "product",
    "submitted_at": "2026-11-20T10:00:00+08:00",
    "entity": {
        "uscc": "91440300MA5H3E0T3W",
        "name": "深圳市雄楚速通国际物流有限公司",
        "kind": "enterprise",
        "figures_year": 2025,
        "figures_wan": {
            "total_cost": 5200.0, "ip_investment": 310.0, "net_profit": 820.0,
            "operating_revenue": 6890.5, "total_product_sales": 6500.0,
            "fixed_assets": 2100.0, "total_output": 7000.0, "selling_expense": 300.0,
            "admin_expense": 420.0, "finance_expense": 35.0,
            "patent_assets": 450.0, "total_assets": 12000.0,
        },
        "employees": 230,
    },
    "product": {
        "name": "家用电冰箱",
        "models": ["BCD-520W"],
        "models_reason": None,
        "trademark": "雄楚",
        "category": {"code": "3951010100", "name": "家用电冰箱"},
        "industry": {"code": "C3851", "name": "家用制冷电器具制造"},
        "intro": "双门风冷无霜冰箱，容积520升，采用变频压缩机与多风道送风结构。",
        "exported": False,
        "export_destinations": [],
        "figures_wan": {"sales": 2300.0, "export": 0.0, "profit": 310.0, "ip_investment": 45.0, "total_cost": 1900.0},
        "market_share_pct": 1.2,
        "patents": [
            {"number": "CN201710601862.3", "core": True, "litigated": False, "case_number": None,
             "holder": "深圳市雄楚速通国际物流有限公司"}
        ],
    },
    "documents": [],
}
