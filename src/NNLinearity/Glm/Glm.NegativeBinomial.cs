using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MathNet.Numerics;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Formulas;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>
/// A negative binomial GLM with theta estimated by maximum likelihood (MASS's <c>glm.nb</c>): the GLM at the estimated
/// theta, theta with its standard error, the log-likelihood and AIC, and the likelihood-ratio test against the Poisson
/// model.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class NegativeBinomialFit
{
    internal NegativeBinomialFit() { }

    /// <summary>The GLM with the negative binomial family at theta (coefficients, standard errors with dispersion 1, deviance, residuals).</summary>
    public GlmFit Fit { get; internal init; } = null!;

    /// <summary>The maximum likelihood estimate of theta (Var = mu + mu^2 / theta).</summary>
    public double Theta { get; internal init; }

    /// <summary>Theta's standard error, 1 / sqrt(the observed information) at the estimate (MASS's <c>SE.theta</c>).</summary>
    public double ThetaStandardError { get; internal init; }

    /// <summary>2 log-likelihood at the estimates (MASS's <c>twologlik</c>).</summary>
    public double TwoLogLikelihood { get; internal init; }

    /// <summary>-2 log-likelihood + 2 (rank + 1): theta counts as a parameter.</summary>
    public double Aic { get; internal init; }

    /// <summary>Alternations of IRLS and theta's Newton iterations.</summary>
    public int Alternations { get; internal init; }

    /// <summary>Whether the alternation met its rule before its limit (see <see cref="GlmDiagnosticKind.ThetaEstimate"/> otherwise).</summary>
    public bool Converged { get; internal init; }

    /// <summary>2 (log-likelihood of this model - that of the Poisson model with the same predictors): the test of overdispersion.</summary>
    public double PoissonLikelihoodRatio { get; internal init; }

    /// <summary>P(chi-square(1) &gt;= the ratio) / 2: the Poisson model is theta = infinity, on the boundary (pscl's odTest).</summary>
    public double PoissonPValue { get; internal init; }

    /// <summary>The GLM summary followed by theta, its standard error and 2 log-likelihood, as MASS prints them.</summary>
    /// <returns>The text.</returns>
    public string Summary()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return Fit.Summary() + Environment.NewLine
            + string.Create(c, $"              Theta:  {Theta:G6} {Environment.NewLine}          Std. Err.:  {ThetaStandardError:G6} {Environment.NewLine}{Environment.NewLine} 2 x log-likelihood:  {TwoLogLikelihood:F3} {Environment.NewLine}")
            + string.Create(c, $"Likelihood-ratio test against the Poisson model: {PoissonLikelihoodRatio:G6} on 1 df, p = {PoissonPValue:G4} (half the chi-square tail: theta = Inf is a boundary){Environment.NewLine}");
    }

    /// <inheritdoc />
    public override string ToString() => Summary();
}

public static partial class Glm
{
    /// <summary>
    /// Fits a negative binomial GLM from a formula with theta estimated by maximum likelihood, as MASS's
    /// <c>glm.nb</c>: a Poisson fit, then alternately theta by Newton's method on its score (<c>theta.ml</c>) and IRLS at
    /// that theta, until the change in the log-likelihood and in theta is below <see cref="GlmOptions.Epsilon"/>.
    /// </summary>
    /// <param name="formula">The model, e.g. "Days ~ Eth + Sex + Age + Lrn".</param>
    /// <param name="data">The table.</param>
    /// <param name="link">The link (log when null).</param>
    /// <param name="options">IRLS options; Epsilon and MaxIterations also govern the alternation and theta's iterations.</param>
    /// <param name="frame">Weights, offset, contrasts and missing values.</param>
    /// <returns>The fit.</returns>
    /// <exception cref="ArgumentException">As <see cref="Fit(string, DataTable, GlmFamily, ILinkFunction?, GlmOptions?, ModelFrameOptions?)"/>; also when the responses are not counts.</exception>
    public static NegativeBinomialFit FitNegativeBinomial(string formula, DataTable data, ILinkFunction? link = null, GlmOptions? options = null, ModelFrameOptions? frame = null)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(data);
        return NegativeBinomialCore((family, o) => Fit(formula, data, family, link, o, frame), options ?? new GlmOptions());
    }

    /// <summary>Fits a negative binomial GLM with theta estimated by maximum likelihood (see the formula overload) from a matrix.</summary>
    /// <param name="x">Predictors, row-major [rows, columns], without the intercept column.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Columns.</param>
    /// <param name="y">Counts.</param>
    /// <param name="link">The link (log when null).</param>
    /// <param name="options">IRLS options, prior weights and offset.</param>
    /// <returns>The fit.</returns>
    /// <exception cref="ArgumentException">As the matrix overload of Glm.Fit.</exception>
    public static NegativeBinomialFit FitNegativeBinomial(double[] x, int rows, int columns, IReadOnlyList<double> y, ILinkFunction? link = null, GlmOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return NegativeBinomialCore((family, o) => Fit(x, rows, columns, y, family, link, o), options ?? new GlmOptions());
    }

    private static NegativeBinomialFit NegativeBinomialCore(Func<GlmFamily, GlmOptions, GlmFit> fitter, GlmOptions options)
    {
        if (!options.KeepRowResults) throw new ArgumentException("A negative binomial fit needs the fitted means between its steps; leave KeepRowResults true.", nameof(options));
        double eps = options.Epsilon;
        int maxit = options.MaxIterations;
        var notes = new List<string>();
        GlmFit poisson = fitter(GlmFamily.Poisson, options);
        double[] y = poisson.Response.ToArray(), w = poisson.PriorWeights.ToArray();
        double[] mu = poisson.RawFitted.ToArray();
        double sw = w.Sum();
        (double th, double se) = ThetaMl(y, mu, sw, w, maxit, notes);
        double d1 = Math.Sqrt(2 * Math.Max(1, poisson.ResidualDegreesOfFreedom)), d2 = 1, del = 1;
        double lm = NegativeBinomialLogLikelihood(th, mu, y, w), lm0 = lm + 2 * d1;
        GlmFit fit = poisson;
        int iter = 0;
        while (++iter <= maxit && (Math.Abs(lm0 - lm) / d1 + Math.Abs(del) / d2) > eps)
        {
            fit = fitter(GlmFamily.NegativeBinomial(th), options with { StartingMeans = mu, Start = null });
            double t0 = th;
            (th, se) = ThetaMl(y, mu, sw, w, maxit, notes); // MASS updates theta from the means before this fit's
            mu = fit.RawFitted.ToArray();
            del = t0 - th;
            lm0 = lm;
            lm = NegativeBinomialLogLikelihood(th, mu, y, w);
        }

        bool converged = iter <= maxit;
        if (!converged) notes.Add($"alternation limit reached: after {maxit} alternations the change in the log-likelihood and theta is still above {eps.ToString(CultureInfo.InvariantCulture)}");
        if (ReferenceEquals(fit, poisson)) fit = fitter(GlmFamily.NegativeBinomial(th), options with { StartingMeans = mu, Start = null });
        foreach (string note in notes.Distinct()) fit.AddDiagnostic(new GlmDiagnostic(GlmDiagnosticKind.ThetaEstimate, "theta: " + note + "."));
        double lrPoisson = 2 * lm - 2 * (poisson.LogLikelihood ?? double.NaN);
        return new NegativeBinomialFit
        {
            Fit = fit,
            Theta = th,
            ThetaStandardError = se,
            TwoLogLikelihood = 2 * lm,
            Aic = -2 * lm + 2 * fit.Rank + 2,
            Alternations = Math.Min(iter, maxit),
            Converged = converged,
            PoissonLikelihoodRatio = lrPoisson,
            PoissonPValue = Distributions.ChiSquareUpper(Math.Max(0, lrPoisson), 1) / 2,
        };
    }

    /// <summary>
    /// MASS's theta.ml: Newton's method on the score of theta from the moment estimate n / sum w (y / mu - 1)^2,
    /// until a step is below eps^(1/4) or <paramref name="limit"/> iterations; the standard error is 1 / sqrt(info)
    /// at the last iterate before its final step (as MASS reports it).
    /// </summary>
    internal static (double Theta, double StandardError) ThetaMl(double[] y, double[] mu, double n, double[] w, int limit, List<string> notes)
    {
        double eps = Math.Pow(2.220446049250313e-16, 0.25);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += w[i] * (y[i] / mu[i] - 1) * (y[i] / mu[i] - 1);
        double t0 = n / s, del = 1, info = double.NaN;
        int it = 0;
        while (++it < limit && Math.Abs(del) > eps)
        {
            t0 = Math.Abs(t0);
            double score = 0;
            info = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double tm = t0 + mu[i], ty = t0 + y[i];
                score += w[i] * (SpecialFunctions.DiGamma(ty) - SpecialFunctions.DiGamma(t0) + Math.Log(t0) + 1 - Math.Log(tm) - ty / tm);
                info += w[i] * (-Trigamma(ty) + Trigamma(t0) - 1 / t0 + 2 / tm - ty / (tm * tm));
            }

            del = score / info;
            t0 += del;
        }

        if (t0 < 0)
        {
            t0 = 0;
            notes.Add("estimate truncated at zero");
        }

        if (it == limit) notes.Add($"iteration limit reached ({limit} Newton steps)");
        return (t0, Math.Sqrt(1 / info));
    }

    /// <summary>sum w (lgamma(theta + y) - lgamma(theta) - lgamma(y + 1) + theta log theta + y log(mu + [y = 0]) - (theta + y) log(theta + mu)).</summary>
    internal static double NegativeBinomialLogLikelihood(double th, double[] mu, double[] y, double[] w)
    {
        double l = 0;
        for (int i = 0; i < y.Length; i++)
        {
            l += w[i] * (SpecialFunctions.GammaLn(th + y[i]) - SpecialFunctions.GammaLn(th) - SpecialFunctions.GammaLn(y[i] + 1) + th * Math.Log(th)
                + y[i] * Math.Log(mu[i] + (y[i] == 0 ? 1 : 0)) - (th + y[i]) * Math.Log(th + mu[i]));
        }

        return l;
    }

    /// <summary>The trigamma function psi'(x) for x &gt; 0: the recurrence psi'(x) = psi'(x + 1) + 1 / x^2 up to 10, then the asymptotic series (relative error below 1e-13).</summary>
    internal static double Trigamma(double x)
    {
        double acc = 0;
        while (x < 10)
        {
            acc += 1 / (x * x);
            x += 1;
        }

        double z = 1 / (x * x);
        // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1): 1/6, -1/30, 1/42, -1/30, 5/66, -691/2730, 7/6
        double series = z * (1.0 / 6 + z * (-1.0 / 30 + z * (1.0 / 42 + z * (-1.0 / 30 + z * (5.0 / 66 + z * (-691.0 / 2730 + z * 7.0 / 6))))));
        return acc + 1 / x + z / 2 + series / x;
    }
}
