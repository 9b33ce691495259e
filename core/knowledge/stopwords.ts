/**
 * Function words and politeness that say nothing about which answer is wanted. Intent words that do
 * (多久, 多少钱, 为什么, 哪里) are not here: the lexicon turns them into concepts instead.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    '我 你 您 他 她 它 我们 你们 他们 咱 咱们 俺 的 地 得 了 吗 呢 吧 啊 呀 哦 噢 嗯 哈 啦 嘛 呗 么 哇 诶 欸 ' +
    '是 在 有 要 想 想要 能 会 可以 可 就 都 也 还 又 再 才 很 太 挺 好 非常 特别 比较 ' +
    '怎么 怎样 如何 咋 咋办 怎么办 怎么样 怎么弄 怎么搞 该 应该 需要 得 什么 啥 哪 那 这 这个 那个 这些 那些 这样 那样 ' +
    '请问 请 问 问下 问一下 你好 您好 在吗 谢谢 麻烦 帮 帮我 帮忙 一下 下 上 个 些 一 一个 点 ' +
    '和 与 及 或 或者 还是 把 被 给 让 对 从 跟 向 为 以 用 于 则 而 但 但是 然后 如果 的话 因为 所以 就是 已经 现在 刚 刚刚 ' +
    '吗吗 呢呢 么么 嘞 哎 唉 喂 老师 亲 客服 小姐姐 那么 这么 多 么样 是不是 是否 有没有 不 没 没有 能否 了吗 过 着 ' +
    '知道 告诉 说 讲 弄 搞 做 进行 一般 通常 具体 大概 大约 左右 目前 请教 咨询 问题 情况 事 事情 东东'
  ).split(/\s+/),
);
