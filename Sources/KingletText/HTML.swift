/// HTML escaping for text and attribute values, as markupsafe's `escape` (which Jinja's
/// `|escape` and autoescaping use): `& < > " '` become `&amp; &lt; &gt; &#34; &#39;`. Templates
/// use it, and so do the reports Kinglet writes as HTML pages.
public enum HTML {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
