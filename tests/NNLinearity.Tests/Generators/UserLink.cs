using System;
using NNLinearity.Links;

namespace NNLinearity.Tests.Generators;

/// <summary>A user's own link type (a class the library does not know): it forwards to a built-in link under another name.</summary>
public sealed class UserLink(ILinkFunction inner, string name = "user") : ILinkFunction
{
    public string Name => name;
    public bool IsAffine => inner.IsAffine;
    public double MeanLowerBound => inner.MeanLowerBound;
    public double MeanUpperBound => inner.MeanUpperBound;
    public double Link(double mu) => inner.Link(mu);
    public double Inverse(double eta) => inner.Inverse(eta);
    public double InverseDerivative(double eta) => inner.InverseDerivative(eta);
    public double Inverse(double eta, out double dMuDEta) => inner.Inverse(eta, out dMuDEta);
    public double InverseSecondDerivative(double eta) => inner.InverseSecondDerivative(eta);
    public bool IsValidMean(double mu) => inner.IsValidMean(mu);
    public bool IsValidLinearPredictor(double eta) => inner.IsValidLinearPredictor(eta);
    public void Link(ReadOnlySpan<double> mu, Span<double> eta) => inner.Link(mu, eta);
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu) => inner.Inverse(eta, mu);
    public void InverseDerivative(ReadOnlySpan<double> eta, Span<double> dMuDEta) => inner.InverseDerivative(eta, dMuDEta);
    public void Inverse(ReadOnlySpan<double> eta, Span<double> mu, Span<double> dMuDEta) => inner.Inverse(eta, mu, dMuDEta);
    public void Link(ReadOnlySpan<float> mu, Span<float> eta) => inner.Link(mu, eta);
    public void Inverse(ReadOnlySpan<float> eta, Span<float> mu) => inner.Inverse(eta, mu);
    public void InverseDerivative(ReadOnlySpan<float> eta, Span<float> dMuDEta) => inner.InverseDerivative(eta, dMuDEta);
}
