import Foundation
import Testing
@testable import KingletChatTemplate

/// Issue 12: no template and no input crashes, hangs or exhausts memory. Each case in
/// `HostileCase.all` ends with its output or the typed error it names, on a 512 KiB stack (the
/// size of secondary threads on macOS), with the default budget unless the case says otherwise.
@Suite struct HostileTemplateTests {
    static let context = LlamaCppCorpus.conversations[2].variables  // a chat with tools

    @Test(arguments: HostileCase.all)
    func endsWithOutputOrTypedError(_ hostile: HostileCase) {
        let result = SmallStack.run { () -> Result<String, TemplateError> in
            do throws(TemplateError) {
                return .success(try ChatTemplate(source: hostile.source).render(Self.context, budget: hostile.budget))
            } catch {
                return .failure(error)
            }
        }
        switch (hostile.outcome, result) {
        case (.output(let expected), .success(let output)):
            #expect(output == expected)
        case (.budget(let limit), .failure(.budgetExceeded(let got, let value, let reached, let at))):
            #expect(got == limit, "\(got) budget \(value) reached \(reached) at \(at)")
            #expect(reached > value && at.line >= 1)
        case (.nesting, .failure(.budgetExceeded(let got, let value, let reached, let at))):
            #expect([.depth, .callDepth, .stack].contains(got), "\(got) budget \(value) reached \(reached)")
            #expect(reached > value && at.line >= 1)
        case (.outOfRange, .failure(.limitExceeded(_, let at))), (.typeError, .failure(.type(_, let at))):
            #expect(at.line >= 1)
        default:
            Issue.record("\(hostile.name): expected \(hostile.outcome), got \(result)")
        }
    }

    /// Errors name the line (and column) of the template where they happen, the limit, the value
    /// reached and what to change.
    @Test func errorsCarryTheTemplateLine() {
        let source = "{% set ns = namespace(s='x') %}\n{{ 'ok' }}\n{% for i in range(60) %}\n{% set ns.s = ns.s ~ ns.s %}\n{% endfor %}"
        do {
            _ = try ChatTemplate(source: source).render([:])
            Issue.record("rendered")
        } catch {
            guard case .budgetExceeded(.stringBytes, let limit, let reached, let at) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(limit == 16 << 20 && reached == 32 << 20 && at.line == 4)
            let text = error.errorDescription ?? ""
            #expect(text.contains("line 4") && text.contains("string size") && text.contains("33554432")
                    && text.contains("RenderBudget.maxStringBytes"), "\(text)")
        }
    }

    /// A render context nesting past `maxDepth` is refused before it is converted (at line 0).
    @Test func refusesADeepContext() {
        var deep: TemplateValue = 1
        for _ in 0..<1000 { deep = [deep] }
        let context = ["x": deep]
        let result = SmallStack.run { () -> TemplateError? in
            do throws(TemplateError) {
                _ = try ChatTemplate(source: "{{ x }}").render(context)
                return nil
            } catch {
                return error
            }
        }
        #expect(result == .budgetExceeded(.depth, limit: 200, reached: 201, at: SourceLocation(line: 0, column: 0)))
    }

    /// The budget is the caller's: the convenience renderer passes it through, and a tighter one
    /// bites where the default does not.
    @Test func budgetIsConfigurable() throws {
        let template = try ChatTemplate(source: "{% for m in messages %}{{ m.content }}{% endfor %}")
        let messages = [ChatMessage(role: "user", content: "hello world")]
        #expect(try template.render(messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "") == "hello world")
        #expect(throws: TemplateError.budgetExceeded(.outputBytes, limit: 5, reached: 11, at: SourceLocation(line: 1, column: 28))) {
            try template.render(messages: messages, addGenerationPrompt: false, bosToken: "", eosToken: "",
                                budget: RenderBudget(maxOutputBytes: 5))
        }
        do {
            _ = try template.render(["messages": [["content": "x"]]], budget: RenderBudget(maxSteps: 3))
            Issue.record("rendered within 3 steps")
        } catch {
            guard case .budgetExceeded(.steps, 3, let reached, _) = error else { Issue.record("\(error)"); return }
            #expect(reached > 3)
        }
        #expect(RenderBudget() == .default)
    }
}

/// Runs a closure on a thread with a 512 KiB stack, the size of secondary threads on macOS.
enum SmallStack {
    static let size = 512 << 10

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        return box.value!
    }

    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }
}
