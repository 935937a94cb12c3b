import Foundation
import Testing
@testable import KingletChatTemplate

/// The default `RenderBudget` is generous for every real template: each of llama.cpp's templates
/// renders a normal conversation well inside it.
@Suite struct LlamaCppTemplateTests {
    @Test func corpusIsPresent() {
        #expect(LlamaCppCorpus.templates.count >= 25)
        #expect(FileManager.default.fileExists(atPath: LlamaCppCorpus.directory.appendingPathComponent("LICENSE").path))
    }

    /// Every template renders at least one conversation; no conversation runs into the default
    /// budget (a template may still refuse a shape, with `raise_exception` or a type error).
    @Test(arguments: LlamaCppCorpus.templates.map(\.name))
    func rendersUnderDefaultBudget(_ name: String) throws {
        let source = try #require(LlamaCppCorpus.templates.first { $0.name == name }?.source)
        let template = try LlamaCppCorpus.template(source)
        var rendered: [String] = []
        for conversation in LlamaCppCorpus.conversations {
            do {
                let output = try template.render(conversation.variables)
                #expect(!output.isEmpty)
                rendered.append(conversation.name)
            } catch .budgetExceeded(let limit, let value, let reached, let at) {
                Issue.record("\(name) / \(conversation.name): \(limit) budget \(value) reached \(reached) at \(at)")
            } catch {
                continue  // the template refuses this conversation's shape
            }
        }
        #expect(!rendered.isEmpty, "\(name) rendered none of the conversations")
    }

    /// The margin: every conversation a template accepts also renders with a tenth of the default
    /// steps, output and sizes, and half the nesting.
    @Test(arguments: LlamaCppCorpus.templates.map(\.name))
    func rendersWithinATenthOfTheBudget(_ name: String) throws {
        let source = try #require(LlamaCppCorpus.templates.first { $0.name == name }?.source)
        let template = try LlamaCppCorpus.template(source)
        let d = RenderBudget.default
        let tight = RenderBudget(maxOutputBytes: d.maxOutputBytes / 10, maxSteps: d.maxSteps / 10, maxDepth: d.maxDepth / 2,
                                 maxCallDepth: d.maxCallDepth / 2, maxCollectionCount: d.maxCollectionCount / 10,
                                 maxStringBytes: d.maxStringBytes / 10)
        for conversation in LlamaCppCorpus.conversations {
            guard let full = try? template.render(conversation.variables) else { continue }
            #expect(try template.render(conversation.variables, budget: tight) == full, "\(name) / \(conversation.name)")
        }
    }
}
