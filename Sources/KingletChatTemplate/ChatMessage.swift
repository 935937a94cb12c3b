/// One turn of a conversation as chat templates see it: a dict with `role` and `content`,
/// plus any `extra` fields a template reads (`tool_calls`, `reasoning_content`, `name`, ...).
public struct ChatMessage: Sendable, Codable, Equatable {
    /// `system`, `user`, `assistant`, `tool`, ...
    public var role: String
    /// The message text.
    public var content: String
    /// Further fields, added to the message dict after `role` and `content`. Not encoded by `Codable`.
    public var extra: TemplateObject

    /// Creates a message.
    public init(role: String, content: String, extra: TemplateObject = [:]) {
        self.role = role
        self.content = content
        self.extra = extra
    }

    private enum CodingKeys: String, CodingKey { case role, content }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        content = try container.decodeIfPresent(String.self, forKey: .content) ?? ""
        extra = [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
    }

    /// The message as the dict a template indexes (`message['role']`, `message.content`).
    public var templateValue: TemplateValue {
        var object: TemplateObject = ["role": .string(role), "content": .string(content)]
        for (k, v) in extra.entries { object[k] = v }
        return .object(object)
    }
}
