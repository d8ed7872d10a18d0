"""The shipping address the checkout tests type: a mainland address in the form's fields."""

CHINESE_ADDRESS = {
    "last_name": "张三",
    "state": "浙江省",
    "line4": "杭州市",
    "line3": "西湖区",
    "line1": "文三路 90 号 3 幢 201 室",
    "postcode": "310012",
    "phone_number": "13800138000",
}
