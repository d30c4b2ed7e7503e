"""Words the generator draws: close controls, cues, calls to action, dialogs and app content."""

from __future__ import annotations

# close controls -------------------------------------------------------------------------------
SKIP_TEXT_ZH = ("跳过", "关闭", "跳过广告")
SKIP_TEXT_EN = ("Skip", "Close", "SKIP")
# countdown layouts that can be used right away; {n} is the seconds left
COUNTDOWN_ZH = ("跳过 {n}", "{n}s 跳过", "{n} | 跳过", "跳过({n})", "跳过 {n}s", "{n}s | 跳过", "关闭 {n}s", "跳过广告 {n}")
COUNTDOWN_EN = ("Skip {n}", "{n}s Skip", "Skip ({n})", "Close {n}s", "{n} | Skip")
# countdown layouts that say closing is possible only after the countdown (COUNTDOWN_BLOCKS_CLOSE)
BLOCKING_ZH = ("{n}秒后可关闭", "{n}s后可跳过", "{n}秒后可跳过广告", "{n}秒后可领取奖励并关闭")
BLOCKING_EN = ("Skip in {n}", "You can skip in {n}", "Close in {n}s", "Reward in {n}s")
POPUP_TEXT_CLOSE_ZH = ("关闭", "不感兴趣", "以后再说", "残忍离开", "暂不需要", "下次再说")
POPUP_TEXT_CLOSE_EN = ("No thanks", "Close", "Not now", "Maybe later", "NO THANKS", "Dismiss")

# cues -----------------------------------------------------------------------------------------
AD_LABELS_ZH = ("广告", "广告", "推广", "赞助", "互动广告", "个性化广告")
AD_LABELS_EN = ("AD", "Ad", "Sponsored", "Ads", "ad")
JUMP_BOUNDED_ZH = ("点击跳转详情页或第三方应用", "点击查看详情", "了解更多", "立即下载", "去看看", "点击跳转至第三方应用",
                   "点击进入", "查看详情 >")
JUMP_BOUNDED_EN = ("Learn more", "Install", "Install now", "Shop now", "Tap to learn more", "Open app")
JUMP_FLOATING_ZH = ("点击跳转详情页或第三方应用", "点击屏幕任意位置跳转", "向上滑动 跳转详情页或第三方应用", "点击查看详情",
                    "轻触屏幕 了解更多")
JUMP_FLOATING_EN = ("Tap anywhere to learn more", "Tap to open", "Swipe up to learn more", "Tap anywhere to install")
SHAKE_ZH = (("摇一摇", "跳转详情页或第三方应用"), ("扭动手机", "或点击图标跳转"), ("转动手机", "了解更多"),
            ("摇动手机", "查看详情"), ("扭一扭", "跳转至第三方应用"))
SHAKE_EN = (("Shake your phone", "to learn more"), ("Twist your phone", "or tap to open"), ("Shake", "to see more"))
CTA_JUMP_ZH = ("立即下载", "下载", "去看看", "查看详情", "立即安装", "去购买")
CTA_JUMP_EN = ("INSTALL", "Install", "Shop now", "Learn more", "Get app", "Download")
CTA_INAPP_ZH = ("立即领取", "签到领金币", "立即开通", "马上抢", "领取红包", "立即参与")
CTA_INAPP_EN = ("Claim now", "Get it", "Apply now", "Start free trial", "Upgrade")

# content --------------------------------------------------------------------------------------
SLOGANS_ZH = ("新人专享 大额红包", "限时5折 爆款直降", "夏日狂欢节", "领取你的专属福利", "0元试玩", "今日特价",
              "全场满199减100", "品质生活 从这里开始", "新品首发", "好物推荐", "会员免费送", "极速到家 30分钟送达",
              "开学季 低至3折", "一起来玩吧", "签到领现金")
SLOGANS_EN = ("Summer Sale", "Up to 50% off", "New arrivals", "Play free now", "Your daily deals",
              "Books that speak to you", "Fresh food delivered", "Try Premium free", "Win big today")
APP_NAMES_ZH = ("优选商城", "速达外卖", "趣看视频", "读书吧", "天天消消乐", "好运来", "易出行", "小猪记账", "云音乐",
                "闪电清理", "快看漫画", "美食汇")
APP_NAMES_EN = ("ShopEasy", "FunPlay", "Daily Pixel", "QuickRide", "Readly", "TuneBox", "Fit Coach", "PhotoLab",
                "Word Quest", "Foodie")
APP_SUBTITLES_ZH = ("海量好货 天天低价", "你想看的都在这里", "专注阅读十年", "省钱又省心", "一键清理 手机更快")
APP_SUBTITLES_EN = ("Millions of happy users", "Free to play", "Listen anywhere", "Save more every day")

DIALOGS_ZH = (
    ("发现新版本 v{v}", "修复了已知问题，优化了使用体验，快来更新吧！", "立即更新", ("以后再说", "暂不更新", "取消")),
    ("开启通知权限", "及时获取订单、物流和消息提醒，不错过重要信息。", "去开启", ("暂不", "暂不开启", "取消")),
    ("给我们评个分吧", "您的支持是我们最大的动力，去应用商店给个好评吧～", "去评分", ("残忍拒绝", "以后再说", "取消")),
    ("位置权限申请", "为了向您推荐附近的门店，需要获取您的位置信息。", "允许", ("拒绝", "暂不", "取消")),
    ("开启自动续费", "开通后每月自动续费，可随时取消。", "确定", ("取消", "暂不需要")),
    ("温馨提示", "检测到您有未完成的订单，是否继续支付？", "继续支付", ("取消", "稍后再说")),
)
DIALOGS_EN = (
    ("Rate this app", "If you enjoy using it, would you mind taking a moment to rate it?", "Rate now",
     ("No thanks", "Not now", "Later")),
    ("Allow notifications?", "Get updates about your orders and messages.", "Allow", ("Not now", "Don't allow", "Cancel")),
    ("Update available", "A new version is ready to install with bug fixes and improvements.", "Update",
     ("Later", "Cancel", "No thanks")),
    ("Enjoying the app?", "Tell us what you think. It only takes a minute.", "Sure!", ("No thanks", "Maybe later")),
    ("Turn on location", "To show stores near you, allow access to your location.", "Turn on", ("Cancel", "Not now")),
)

PAGE_TITLES_ZH = ("消息", "发现", "我的订单", "设置", "推荐", "附近的店", "收藏夹", "音乐馆", "热门话题", "购物车", "钱包", "首页")
PAGE_TITLES_EN = ("Messages", "Discover", "My orders", "Settings", "For you", "Nearby", "Favorites", "Library",
                  "Trending", "Cart", "Wallet", "Home")
LINES_ZH = ("今天天气不错，适合出门走走", "您的快递已到达驿站", "新品上架，限时优惠中", "张三：晚上一起吃饭吗？",
            "系统通知：账户安全提醒", "周末去哪儿玩？", "附近 1.2km · 评分 4.8", "已售 3000+ 件", "点赞 128 · 评论 32",
            "这首歌太好听了", "每日推荐 · 30首", "订单已发货，预计明天送达", "会员积分即将过期", "学习打卡第12天",
            "关注的人更新了动态", "热门评论 999+")
LINES_EN = ("See you tomorrow at 10", "Your order has shipped", "New episodes every Friday", "Alex: sounds good!",
            "Security alert for your account", "Top picks for you", "1.2 km away · 4.8 stars", "3,000+ sold",
            "128 likes · 32 comments", "Daily mix · 30 songs", "Only from my country", "Distance doesn't matter",
            "Recently played", "Updated 2 hours ago")
TAGS_ZH = ("热门", "推荐", "附近", "美食", "旅行", "数码", "穿搭", "电影", "健身", "宠物")
TAGS_EN = ("Music", "Sale", "Nearby", "Food", "Travel", "Tech", "Style", "Movies", "Fitness", "Pets")
TABS_ZH = ("首页", "发现", "消息", "我的", "购物车", "视频")
TABS_EN = ("Home", "Explore", "Inbox", "Me", "Cart", "Videos")
SEARCH_ZH = ("搜索商品、店铺", "搜索", "请输入关键词", "搜索歌曲、歌手")
SEARCH_EN = ("Search", "Search products", "Search music", "Find friends")
PRICES = ("¥129", "¥39.9", "¥1,299", "$19.99", "¥8.8", "$4.99", "¥59")

# traps next to a skip control that are not close controls (they sell an ad-free membership)
REMOVE_ADS_ZH = ("VIP免广告", "开会员去广告", "删除所有广告", "VIP去广告", "免广告特权")
REMOVE_ADS_EN = ("Remove ads", "Go ad-free", "No ads with VIP")
APP_INFO_ZH = ("应用名称：{name} | 应用版本：{v} | 开发者：{dev}", "权限详情 | 隐私协议 | 功能介绍",
               "{dev} · 版本 {v} · 应用大小 86.5MB")
APP_INFO_EN = ("App: {name} | Version {v} | Developer: {dev}", "Permissions | Privacy policy")
DEVELOPERS = ("杭州某某网络科技有限公司", "北京乐游互动科技有限公司", "上海云帆信息技术有限公司", "Fun Games Ltd.")
SHEET_ITEMS_ZH = ("✓ 全站免广告", "✓ 专属高清画质", "✓ 每月赠送优惠券", "✓ 无限次下载", "✓ 会员专属客服")
SHEET_ITEMS_EN = ("✓ No ads anywhere", "✓ HD quality", "✓ Monthly coupons", "✓ Unlimited downloads")
