// The test fixture imitates the Datadog Agent's package paths so that
// profwatch's ownership rules run on real Go function names
// (github.com/DataDog/datadog-agent/pkg/aggregator.(*...)...). It is a test
// program written for profwatch, not the agent, and uses the standard library only.
module github.com/DataDog/datadog-agent

go 1.19
