import ArgumentParser
import Foundation
import KingletServer

/// The upstream server and its key: `serve --upstream` and `route eval --upstream`.
struct UpstreamFlags: ParsableArguments {
    @Option(name: .customLong("upstream"),
            help: ArgumentHelp("An OpenAI-compatible server (http://host:port/v1) that answers what the local model is unsure of (route eval also takes a model: a known name or a .gguf path, served for the run).", valueName: "url"))
    var upstream: String?
    @Option(name: .customLong("upstream-model"), help: ArgumentHelp("The model field sent upstream (default: the client's).", valueName: "name"))
    var upstreamModel: String?
    @Option(name: .customLong("upstream-key-env"), help: ArgumentHelp("Environment variable holding the upstream's API key.", valueName: "var"))
    var upstreamKeyEnv: String?
    @Option(name: .customLong("upstream-key-file"), help: ArgumentHelp("File holding the upstream's API key (one line).", valueName: "path"))
    var upstreamKeyFile: String?
    @Option(name: .customLong("upstream-timeout"), help: ArgumentHelp("Seconds an upstream answer may take; past it the local answer is returned.", valueName: "seconds"))
    var upstreamTimeout: Double = 60

    func validate() throws {
        if upstream == nil {
            for (flag, set) in [("--upstream-model", upstreamModel != nil), ("--upstream-key-env", upstreamKeyEnv != nil),
                                ("--upstream-key-file", upstreamKeyFile != nil)] where set {
                throw ValidationError("\(flag) needs --upstream")
            }
        }
        if upstreamKeyEnv != nil && upstreamKeyFile != nil { throw ValidationError("give --upstream-key-env or --upstream-key-file, not both") }
        if !(upstreamTimeout.isFinite && upstreamTimeout > 0 && upstreamTimeout <= 3600) {
            throw ValidationError("--upstream-timeout must be between 0 and 3600 seconds")
        }
    }

    /// The routing options for `policy`; nil without --upstream.
    func routing(policy: RoutePolicy, environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagError) -> RoutingOptions? {
        guard let upstream else { return nil }
        guard let url = URL(string: upstream), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw FlagError("--upstream \(upstream) is not an http(s) URL. Give the base URL, e.g. http://host:8080/v1.")
        }
        var routing = RoutingOptions(upstream: url, upstreamModel: upstreamModel, policy: policy)
        routing.timeout = upstreamTimeout
        do {
            if let file = upstreamKeyFile { routing.key = UpstreamKey(try APIKey.read(file: file)) }
            if let variable = upstreamKeyEnv {
                guard let value = environment[variable] else { throw FlagError("--upstream-key-env: the variable \(variable) is not set") }
                routing.key = UpstreamKey(try APIKey.checked(value.trimmingCharacters(in: .whitespacesAndNewlines), source: "$\(variable)"))
            }
        } catch let e as FlagError {
            throw e
        } catch {
            throw FlagError("\(upstreamKeyFile != nil ? "--upstream-key-file" : "--upstream-key-env"): \(error.localizedDescription)")
        }
        return routing
    }
}

/// `kinglet serve --upstream URL --route POLICY|FILE`: local first, escalating unsure answers.
struct ServeRouteOptions: ParsableArguments {
    @OptionGroup var upstream: UpstreamFlags
    @Option(name: .customLong("route"),
            help: ArgumentHelp("When to escalate: SIGNAL:THRESHOLD[:early=K] (signals: mean-logprob, min-logprob, chow-quantile[@Q], mean-entropy), or the file `kinglet route calibrate` writes.",
                               valueName: "policy|file"))
    var route: String?

    func validate() throws {
        if upstream.upstream == nil && route != nil { throw ValidationError("--route needs --upstream") }
        if upstream.upstream != nil && route == nil {
            throw ValidationError("--upstream needs --route (e.g. --route min-logprob:-3.5, or a file from `kinglet route calibrate`)")
        }
    }

    /// Sets `options.routing` when --upstream is given.
    func apply(to options: inout ServerOptions) throws(FlagError) {
        guard let route else { return }
        let policy: RoutePolicy
        do { policy = try RoutePolicy(specOrFile: route) } catch { throw FlagError("--route: \(error.localizedDescription)") }
        options.routing = try upstream.routing(policy: policy)
    }
}
